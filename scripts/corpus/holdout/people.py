from lib import addr

D = "zorggroephorizon.nl"

class P:
    def __init__(self, name, email, func_nl, func_en, phone, extra=None):
        self.name, self.email, self.func_nl, self.func_en, self.phone, self.extra = name, email, func_nl, func_en, phone, extra
    @property
    def a(self):
        return addr(self.name, self.email)
    def sig(self, lang="nl", style=1, greet=True):
        first = self.name.split()[0] if not self.name.startswith("Dr") else self.name.split()[1]
        if lang == "nl":
            g = "Met vriendelijke groet,\n\n" if greet else ""
            if style == 1:
                return f"{g}{self.name}\n{self.func_nl}\nZorggroep Horizon\nT {self.phone}\n"
            if style == 2:
                return (f"{g}{self.name}\n{self.func_nl} | Zorggroep Horizon\n"
                        f"Stationsplein 1, 3511 ED Utrecht\nT 030-1234567 | M {self.phone}\n"
                        f"www.zorggroephorizon.nl\n")
            if style == 3:
                return f"{'Groet,' if greet else ''}\n{first}\n\n--\n{self.name} | {self.func_nl} | {self.phone}\n"
        else:
            g = "Kind regards,\n\n" if greet else ""
            if style == 1:
                return f"{g}{self.name}\n{self.func_en}\nZorggroep Horizon\nT {self.phone}\n"
            if style == 2:
                return (f"{g}{self.name}\n{self.func_en} | Zorggroep Horizon\n"
                        f"Stationsplein 1, 3511 ED Utrecht, the Netherlands\nT +31 30 123 4567 | M {self.phone}\n")
            if style == 3:
                return f"{'Best,' if greet else ''}\n{first}\n\n--\n{self.name} | {self.func_en} | {self.phone}\n"

MV = P("Marieke de Vries", f"m.devries@{D}", "Wijkverpleegkundige, wijkteam Rivierstad-Noord", "District nurse", "06-41827365")
SB = P("Sanne Bakker", f"s.bakker@{D}", "Medewerker zorgadministratie", "Care administration", "030-1234567")
JV = P("Jeroen Visser", f"j.visser@{D}", "Functioneel beheerder ICT", "Application manager, IT", "06-20318457")
FE = P("Fatima El Amrani", f"f.elamrani@{D}", "Maatschappelijk werker", "Social worker", "06-38174920")
PJ = P("Pieter Jansen", f"p.jansen@{D}", "Teamleider wijkteam Noord", "Team lead district team North", "06-51928374")
EM = P("Eline Mulder", f"e.mulder@{D}", "HR-adviseur", "HR advisor", "030-1234567 (toestel 214)")
TH = P("Tom Hendriks", f"t.hendriks@{D}", "Controller", "Controller", "06-19283746")
NS = P("Noor Smit", f"n.smit@{D}", "Communicatieadviseur", "Communications advisor", "06-47382910")
BK = P("Bas Kuipers", f"b.kuipers@{D}", "Functionaris gegevensbescherming", "Data protection officer", "06-30495867")
LD = P("Linda van Dijk", f"l.vandijk@{D}", "Managementassistente Raad van Bestuur", "Executive assistant to the Board", "030-1234567")
DB = P("Daan de Boer", f"d.deboer@{D}", "Planner thuiszorg", "Home care planner", "030-1234567")
YK = P("Yvonne Kramer", f"y.kramer@{D}", "Locatiemanager De Linde", "Site manager De Linde", "06-28374651")
IP = P("Ingrid Post", f"debiteuren@{D}", "Medewerker debiteurenadministratie", "Accounts receivable", "030-1234567")
AK = P("Dr. Anna Kowalski", f"a.kowalski@{D}", "Specialist ouderengeneeskunde", "Elderly care physician", "+31 6 1938 2746")
RB = P("Rachel Brouwer", f"r.brouwer@{D}", "Information Security Officer", "Information Security Officer", "+31 6 5567 1290")
MO = P("Mark O'Neill", f"m.oneill@{D}", "Onderzoekscoördinator", "Research coordinator", "+31 6 2210 8843")
KV = P("Kim Vos", f"k.vos@{D}", "Cliëntadviseur", "Client advisor", "030-1234567")
