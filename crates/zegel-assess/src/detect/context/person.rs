//! Whether a match is about a person: the cues (titles, names, pronouns,
//! statements), the general or organisational texts that cap a score, and
//! [`person_score`].

use super::*;

/// Where a person is spoken of near a match: how strong the signal is, for
/// the health and special-category detectors (see their scoring schemes).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PersonContext {
    /// A strong cue: a client/patient word, a title or form of address
    /// (mevrouw, dhr., Mrs), a diagnosing phrase, or a known name.
    pub strong: bool,
    /// A weak cue: a personal pronoun (hij, zij, haar, he, she, his, her).
    pub weak: bool,
}

pub(super) const STRONG_PERSON_CUES: &[&str] = &[
    "cliënt",
    "client",
    "cliënte",
    "patiënt",
    "patient",
    "patiënte",
    "mevrouw",
    "meneer",
    "de heer",
    "dhr",
    "mw",
    "mevr",
    "mr",
    "mrs",
    "miss",
    "bewoner",
    "bewoonster",
    "zorgvrager",
    "deelnemer",
    "leerling",
    "zoon",
    "dochter",
    "moeder",
    "vader",
    "echtgenoot",
    "echtgenote",
    "baby",
    "mijn man",
    "mijn vrouw",
    "son",
    "daughter",
    "mother",
    "father",
    "husband",
    "wife",
    "resident",
    "employee",
    "pupil",
    // The people insurers and youth workers write about: "the insured
    // suffered ...", "het meisje van 17" (after "een": anyone).
    "verzekerde",
    "the insured",
    "insured person",
    "meisje",
    "jongen",
    "girl",
    "boy",
];

/// Strong cues that state something of someone rather than name a role:
/// an indefinite word before them ("een urineweginfectie vastgesteld")
/// does not make them anyone's.
pub(super) const STATEMENT_CUES: &[&str] = &[
    "gediagnosticeerd",
    "gediagnostiseerd",
    "vastgesteld",
    "lijdt aan",
    "leed aan",
    "heeft last van",
    "is bekend met",
    "bekend met",
    "in behandeling",
    "wordt behandeld",
    "slikt",
    "diagnosed",
    "suffers from",
    "suffering from",
    "was admitted",
    "is taking",
    "prescribed",
    "voorgeschreven",
    "geboren",
    "born",
    "dob",
    "geb.",
];

/// Pronouns that point at a person (third person, and the reader: "uw
/// medicatie"). The writer's own "ik", "mijn", "I", "my" are not among
/// them: in the mail of a care professional they speak of the writer at
/// work ("ik wil jouw mening over fosfomycine"), not of a patient.
pub(super) const WEAK_PERSON_CUES: &[&str] = &[
    "hij",
    "zij",
    "haar",
    "hem",
    "he",
    "she",
    "his",
    "her",
    "him",
    "uw",
    "your",
    // "ze" is "she" only before a verb in the singular ("ze gebruikt
    // tramadol"); "ze gebruiken" is anyone.
    "ze heeft",
    "ze had",
    "ze krijgt",
    "ze kreeg",
    "ze gebruikt",
    "ze slikt",
    "ze is",
    "ze was",
    "ze wordt",
    "ze werd",
    "ze lijdt",
    "ze leed",
    "ze voelt",
    "ze zit",
];

/// Words that make the next noun anyone rather than someone: "een
/// bewoner met dementie" in a volunteer vacancy, "a patient with
/// diabetes" in a guideline, "elke cliënt".
pub(super) const INDEFINITE: &[&str] = &[
    "een", "a", "an", "elke", "iedere", "ieder", "every", "any", "each", "geen", "no",
];

/// Whether the cue starting at `start` in `lower` follows an indefinite
/// word ([`INDEFINITE`]), perhaps with one adjective between ("een oudere
/// cliënt").
pub(super) fn after_indefinite(lower: &str, start: usize) -> bool {
    // Only the same line counts.
    let line = &lower[lower[..start].rfind('\n').map_or(0, |p| p + 1)..start];
    let before = line.trim_end_matches([' ', '\t']);
    if before.ends_with(['.', ',', ':', ';', '!', '?']) {
        return false;
    }
    let mut words = before
        .rsplit(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(2);
    let Some(first) = words.next() else {
        return false;
    };
    // Or one adjective between: "een oudere cliënt".
    INDEFINITE.contains(&first)
        || (first.len() > 2 && words.next().is_some_and(|w| INDEFINITE.contains(&w)))
}

/// The strong cue hits that speak of a particular person: role nouns
/// after an indefinite word are dropped.
pub(super) fn particular_only(lower: &str, hits: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    hits.into_iter()
        .filter(|h| !noun_after_indefinite(lower, *h))
        .collect()
}

/// Whether the strong cue at `hit` is a role noun after an indefinite word.
pub(super) fn noun_after_indefinite(lower: &str, hit: (usize, usize)) -> bool {
    !STATEMENT_CUES.contains(&&lower[hit.0..hit.1]) && after_indefinite(lower, hit.0)
}

/// Cues shared by the detectors that need "about a person".
pub struct PersonCues {
    strong: Dictionary,
    weak: Dictionary,
    /// [`FIRST_PERSON`]: weak cues in quoted history only.
    first_person: Dictionary,
}

/// The writer's own words: not a person cue in the mail being written
/// (the sender speaking of themself), but in quoted or forwarded history
/// ([`Text::quoted`]) they are someone else's, named in the quoted
/// header: "Van: Jeroen Blom … Ik heb mijn kruisband gescheurd" is about
/// Jeroen Blom.
const FIRST_PERSON: &[&str] = &["ik", "mijn", "mij", "me", "i", "my", "i'm", "i've"];

/// `a` and `b` (each in order) in one ordered list.
fn merged(a: &[(usize, usize)], b: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut all = [a, b].concat();
    all.sort_unstable();
    all
}

impl std::fmt::Debug for PersonCues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonCues")
    }
}

impl Default for PersonCues {
    fn default() -> Self {
        PersonCues::new()
    }
}

/// Where the person cues stand in one text, found in one pass each, so
/// that looking around many hits costs a binary search per hit.
#[derive(Debug, Default)]
pub struct PersonIndex {
    strong: Positions,
    weak: Positions,
    /// Private persons' names, line by line as asked for (shared with the
    /// other detectors reading the same text).
    names: std::rc::Rc<PrivateNames>,
}

impl PersonIndex {
    /// Like [`names_someone`], with the names of each line found once.
    pub fn names_someone(
        &self,
        original: &str,
        range: Range<usize>,
        start: usize,
        end: usize,
    ) -> bool {
        self.names
            .any_in(original, range.start..start.max(range.start))
            || self.names.any_in(original, end.min(range.end)..range.end)
    }

    /// Like [`PersonCues::around`], with the cue positions found once.
    pub fn around(
        &self,
        original: &str,
        start: usize,
        end: usize,
        before: usize,
        after: usize,
    ) -> PersonContext {
        let mut ctx = PersonContext {
            strong: near(&self.strong, start, end, before, after),
            weak: near(&self.weak, start, end, before, after),
        };
        if !ctx.strong {
            // A name counts when it is a private person's, not one of a
            // professional at work (the speaker, the author, a colleague).
            let range = |w: &str| {
                let from = w.as_ptr() as usize - original.as_ptr() as usize;
                from..from + w.len()
            };
            ctx.strong = self
                .names
                .any_in(original, range(window(original, start, start, before, 0)))
                || self
                    .names
                    .any_in(original, range(window(original, end, end, 0, after)));
        }
        ctx
    }
}

impl PersonCues {
    /// Finds all cue positions in `lower` (one pass per cue list).
    pub fn index(&self, lower: &str) -> PersonIndex {
        PersonIndex {
            strong: Arc::new(particular_only(lower, self.strong.positions(lower))),
            weak: Arc::new(self.weak.positions(lower)),
            names: Default::default(),
        }
    }

    /// Like [`PersonCues::index`] over `text.lower`, found once per text and
    /// shared by every detector that asks.
    pub fn index_in(&self, text: &Text<'_>) -> PersonIndex {
        let strong = self.strong.positions_in(text);
        let strong = if strong
            .iter()
            .any(|&h| noun_after_indefinite(&text.lower, h))
        {
            Arc::new(particular_only(&text.lower, strong.to_vec()))
        } else {
            strong
        };
        let weak = self.weak.positions_in(text);
        let weak = if text.quoted {
            // Not a shared dictionary: found on its own, once per text.
            Arc::new(merged(&weak, &self.first_person.positions_in(text)))
        } else {
            weak
        };
        PersonIndex {
            strong,
            weak,
            names: std::rc::Rc::clone(&text.scans.names),
        }
    }

    /// Compiles the cue lists.
    pub fn new() -> PersonCues {
        PersonCues {
            strong: Dictionary::shared(&[STRONG_PERSON_CUES, STATEMENT_CUES].concat()),
            weak: Dictionary::shared(WEAK_PERSON_CUES),
            // Not in the shared scan: these are the commonest words of
            // every text, and only quoted history asks for them.
            first_person: Dictionary::new(FIRST_PERSON),
        }
    }

    /// Looks `before` bytes back and `after` bytes on around `start..end`
    /// (the match itself excluded) for person cues; also counts a known
    /// first name or surname written with a capital, or an initial
    /// (`J. Jansen`), as a strong cue.
    pub fn around(
        &self,
        original: &str,
        lower: &str,
        start: usize,
        end: usize,
        before: usize,
        after: usize,
    ) -> PersonContext {
        let left = window(lower, start, start, before, 0);
        let right = window(lower, end, end, 0, after);
        let mut ctx = PersonContext {
            strong: self.strong.any(left) || self.strong.any(right),
            weak: self.weak.any(left) || self.weak.any(right),
        };
        if !ctx.strong {
            let lo = window(original, start, start, before, 0);
            let ro = window(original, end, end, 0, after);
            ctx.strong =
                crate::detect::names::mentions_name(lo) || crate::detect::names::mentions_name(ro);
        }
        ctx
    }
}

/// Like [`names_someone`] over `text.original`, with each line's names
/// found once per text.
pub fn names_someone_in(text: &Text<'_>, range: Range<usize>, start: usize, end: usize) -> bool {
    let names = &text.scans.names;
    names.any_in(text.original, range.start..start.max(range.start))
        || names.any_in(text.original, end.min(range.end)..range.end)
}

/// Whether `original[range]`, the match `start..end` left out, names one
/// particular private person: a title before a capitalised word (`Dhr.
/// Verhoef`, `mevrouw De Graaf`), a first name and a surname, a known name,
/// or an initial before a capitalised word, unless its place makes it a
/// professional's ([`private_name_in`]).
pub fn names_someone(original: &str, range: Range<usize>, start: usize, end: usize) -> bool {
    // Line by line ("vit D.\nVraag" is not an initial and a surname), and
    // only a private person: "zegt revalidatiearts Anke Pranger" names the
    // speaker, not the one spoken of.
    private_name_in(original, range.start..start.max(range.start))
        || private_name_in(original, end.min(range.end)..range.end)
}

/// Whether `title` (a word, perhaps ending in a dot) is a title and `next`
/// a capitalised word or an initial (`dhr. Y. Benali`, `Mrs. Roelofsen`).
pub(super) fn titled_pair(title: &str, next: &str) -> bool {
    let next = next.trim_end_matches(['.', ':', ',']);
    let title = title.trim_end_matches('.');
    crate::detect::names::with_lowercase(title, crate::detect::names::is_title)
        && (crate::detect::names::is_capitalised(next)
            || (next.len() == 1 && next.as_bytes()[0].is_ascii_uppercase()))
}

/// Greetings that open a line addressing the reader, not a person spoken of.
pub(super) const SALUTATIONS: &[&str] = &[
    "geachte",
    "beste",
    "dear",
    "hallo",
    "hoi",
    "hi",
    "hello",
    "goedemorgen",
    "goedemiddag",
    "goedenavond",
    "lieve",
];

/// Whether `original` speaks of a particular person by title and name
/// (`dhr. Y. Benali`, `mevrouw Jansen`) outside a salutation line
/// (`Geachte mevrouw Hartman,` addresses the reader).
pub fn titled_person(original: &str) -> bool {
    original.lines().any(|line| {
        let mut words = line
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '"' | '|'))
            .filter(|w| !w.is_empty());
        let Some(mut previous) = words.next() else {
            return false;
        };
        if SALUTATIONS.iter().any(|s| s.eq_ignore_ascii_case(previous)) {
            return false;
        }
        for word in words {
            if titled_pair(previous, word) {
                return true;
            }
            previous = word;
        }
        false
    })
}

/// Whether the clause ending at `end` introduces a list of people: it ends
/// in a colon and the list item on the next line names someone ("de
/// volgende medewerkers:\n- J.H. (Jan) Evers"). What the clause says, it
/// says about them.
pub fn lists_people(original: &str, end: usize) -> bool {
    if !original[..end].trim_end().ends_with(':') {
        return false;
    }
    let rest = original[end..].trim_start_matches(['\n', '\r', ' ']);
    let item = rest.lines().next().unwrap_or("");
    let marked =
        item.starts_with(['-', '*', '•']) || item.starts_with(|c: char| c.is_ascii_digit());
    marked && names_someone(item, 0..item.len(), 0, 0)
}

/// Whether a whole text is general: two or more general or
/// organisational cues ([`GENERAL_CUES`], positions in `general`; stated
/// thresholds count as one, [`thresholds`]) and no
/// one spoken of by title and name ([`titled_person`]). A newsletter or a
/// flu-campaign letter is general throughout, also where its health words
/// stand far from the word "newsletter".
pub fn general_text(original: &str, general: &[(usize, usize)]) -> bool {
    let cues = general.len() + usize::from(thresholds(original) >= 2);
    (cues >= 2 && !titled_person(original)) || blank_form(original)
}

/// How a term at `start..end` stands towards a person, for
/// [`person_score`]: the person cues within about 100 bytes before and 80
/// after, and whether a general or organisational cue (`general`, from
/// [`GENERAL_CUES`]) caps it. A general cue within 200 bytes caps it,
/// except when the term's own clause holds no general cue itself and names
/// a particular person or holds a strong person cue: "Dhr. Verhoef is
/// kaderlid van de vakbond" stays about him even when the next sentence
/// speaks of the CAO. With `named_wins` a private person named in the
/// clause is enough, whatever general word stands beside it.
pub(super) fn about_person(
    person: &PersonIndex,
    general: &[(usize, usize)],
    original: &str,
    start: usize,
    end: usize,
    named_wins: bool,
) -> (PersonContext, bool) {
    let ctx = person.around(original, start, end, 100, 80);
    if !near(general, start, end, 200, 200) {
        // A clause that introduces a list of people speaks of them, however
        // long it is ("... van de volgende medewerkers, die ...:\n- J. Evers").
        let listed = !ctx.strong
            && original.as_bytes()[end..(end + 300).min(original.len())].contains(&b':')
            && lists_people(original, clause(original, start, end, 300).end);
        return (
            PersonContext {
                strong: ctx.strong || listed,
                weak: ctx.weak,
            },
            false,
        );
    }
    let own = clause(original, start, end, 300);
    let general_in_clause = near(general, start, end, start - own.start, own.end - end);
    // With `named_wins`, a private person named in the term's own clause
    // outweighs a general word beside it.
    let named = person.names_someone(original, own.clone(), start, end);
    if (named && (named_wins || !general_in_clause))
        || (!general_in_clause && lists_people(original, own.end))
    {
        return (
            PersonContext {
                strong: true,
                weak: ctx.weak,
            },
            false,
        );
    }
    // A particular person spoken of in the term's own clause ("er is een
    // urineweginfectie vastgesteld waarvoor zij nitrofurantoïne krijgt")
    // outweighs a general word in the next sentence ("gemiddeld 14
    // mmol/l" of the same person).
    let strong_in_clause = near(&person.strong, start, end, start - own.start, own.end - end);
    (ctx, general_in_clause || !strong_in_clause)
}

/// Whether one text is general ([`general_text`], by the cues of
/// `cues`), worked out on first use and at most once per text however many
/// terms ask.
pub struct GeneralText<'d> {
    cues: &'d Dictionary,
    known: std::cell::OnceCell<bool>,
}

impl<'d> GeneralText<'d> {
    /// Nothing worked out yet.
    pub fn new(cues: &'d Dictionary) -> GeneralText<'d> {
        GeneralText {
            cues,
            known: std::cell::OnceCell::new(),
        }
    }

    /// Whether `text` is general.
    pub fn get(&self, text: &Text<'_>) -> bool {
        *self.known.get_or_init(|| {
            general_text(text.original, &self.cues.positions_in(text)) || declared_anonymous(text)
        })
    }
}

/// How the terms of one text stand towards a person, for the "about a
/// person" detectors (health, special category): the person cues are
/// indexed on the first term asked about, once per text.
pub struct AboutPerson<'d, 't, 'a> {
    text: &'t Text<'a>,
    person_cues: &'d PersonCues,
    general_cues: &'d Dictionary,
    /// Whether a private person named in a term's clause outweighs a
    /// general word in that clause (see [`AboutPerson::named_outweighs_general`]).
    named_wins: bool,
    person: std::cell::OnceCell<PersonIndex>,
    whole: GeneralText<'d>,
}

impl<'d, 't, 'a> AboutPerson<'d, 't, 'a> {
    /// Nothing looked at yet; `general_cues` is the [`GENERAL_CUES`] list.
    pub fn new(
        text: &'t Text<'a>,
        person_cues: &'d PersonCues,
        general_cues: &'d Dictionary,
    ) -> AboutPerson<'d, 't, 'a> {
        AboutPerson {
            text,
            person_cues,
            general_cues,
            named_wins: false,
            person: std::cell::OnceCell::new(),
            whole: GeneralText::new(general_cues),
        }
    }

    /// The person context of the term at `start..end` and whether a general
    /// context caps it, for [`person_score`]: as `about_person` says, and
    /// in a general text ([`general_text`]) every term its own clause does
    /// not tie to a particular person by name.
    /// A private person named in a term's own clause outweighs a general
    /// word in that clause: "volgens het protocol meld ik: mevrouw Jansen
    /// heeft een heupfractuur" is about her. For health, where protocol
    /// and guideline words stand in reports about someone; not for the
    /// special categories, where "mevrouw Jansen leidt de
    /// cao-onderhandelingen met de vakbond" speaks of her work.
    pub fn named_outweighs_general(mut self) -> Self {
        self.named_wins = true;
        self
    }

    /// Whether the text holds any general or organisational cue
    /// ([`GENERAL_CUES`]), wherever it stands.
    pub fn any_general_cue(&self) -> bool {
        !self.general_cues.positions_in(self.text).is_empty()
    }

    pub fn at(&self, start: usize, end: usize) -> (PersonContext, bool) {
        let text = self.text;
        let person = self.person.get_or_init(|| self.person_cues.index_in(text));
        let general = self.general_cues.positions_in(text);
        let (mut ctx, capped) =
            about_person(person, &general, text.original, start, end, self.named_wins);
        // "je oxazepam", "jouw uitslag": the informal possessive right
        // before the term is the reader's, as "your" and "uw" are (which
        // the weak cues hold; "je" alone is too often anyone's).
        ctx.weak |= informal_possessive_before(&text.lower, start);
        let capped = capped
            || (self.whole.get(text)
                && !person.names_someone(
                    text.original,
                    clause(text.original, start, end, 300),
                    start,
                    end,
                ));
        (ctx, capped)
    }
}

/// Whether `jouw`, or `je` as a possessive, stands right before `start` in
/// `lower` ("jouw uitslag", "(je oxazepam", "met je behandelaar", "- Je
/// diabetes is ..."). `je` is also the subject ("Heb je diabetes?" in a
/// leaflet), so it counts only where a clause opens (a line, a bullet, a
/// sentence, a bracket) or after a preposition.
pub(super) fn informal_possessive_before(lower: &str, start: usize) -> bool {
    const PREPOSITIONS: &[&str] = &[
        "met", "van", "voor", "bij", "over", "op", "in", "aan", "na", "tot", "door", "om", "uit",
        "zonder", "tegen", "naast", "onder",
    ];
    let Some((word, rest)) = word_before(lower, start) else {
        return false;
    };
    match word {
        "jouw" => true,
        "je" => {
            let opening = rest.trim_end_matches([' ', '\t', '-', '*', '•']);
            opening.is_empty()
                || opening.ends_with(['(', '\n', '.', '!', '?', ':'])
                || word_before(rest, rest.len()).is_some_and(|(w, _)| PREPOSITIONS.contains(&w))
        }
        _ => false,
    }
}

/// The scoring scheme shared by the "about a person" detectors (health,
/// special category): the term's base confidence (below 0.5: a term alone
/// is not enough), plus 0.4 with a strong person cue or 0.2 with only a
/// weak one, capped at 0.95; a general or organisational context (campaign,
/// newsletter, vacancy, statistics, software) caps it at 0.2, below the
/// policy threshold of 0.5, whatever the person cues.
pub fn person_score(base: f32, ctx: PersonContext, general: bool) -> f32 {
    let mut c = base;
    if ctx.strong {
        c += 0.4;
    } else if ctx.weak {
        c += 0.2;
    }
    if general {
        c = c.min(0.2);
    }
    c.min(0.95)
}

/// Words that mark a general or organisational text rather than one about a
/// person: campaigns, newsletters, vacancies, statistics, software, policy.
pub const GENERAL_CUES: &[&str] = &[
    "week van de",
    "week of the",
    "dag van de",
    "campagne*",
    "campaign*",
    "alle medewerkers",
    "alle collega's",
    "all staff",
    "all employees",
    "iedere medewerker",
    "elke medewerker",
    "every employee",
    "vacature*",
    "vacancy",
    "vacancies",
    "we zoeken",
    "wij zoeken",
    "we are looking",
    "we're hiring",
    "hiring",
    "sollicit*",
    "nieuwsbrief*",
    // Printed matter for the public (not `poster*`: "posterieure").
    "flyer*",
    "poster",
    "posters",
    "drukwerk",
    "huis-aan-huis",
    "newsletter*",
    "ziekteverzuim*",
    "verzuimcijfer*",
    "verzuimpercentage*",
    "statistiek*",
    "statistics",
    "gemiddeld",
    "on average",
    "mediaan",
    "median",
    "cohort*",
    "per team",
    "per locatie",
    "per location",
    "prevalentie",
    "prevalence",
    "incidentie",
    "incidence",
    "scholing*",
    "nascholing*",
    "bijscholing*",
    "accreditatie*",
    "accreditation",
    "opleiding*",
    "workshop*",
    // Dutch only: English "training" is also what someone is in.
    "een training",
    "de training",
    "deze training",
    "trainingen",
    "trainingsavond*",
    "richtlijn*",
    "guideline*",
    "werkinstructie*",
    "handreiking*",
    "*voorraad*",
    "bestellijst*",
    "in stock",
    "out of stock",
    "zorgpad*",
    "verwijspad*",
    "care pathway*",
    "doelgroep*",
    "target group*",
    "geaggregeerd*",
    "aggregated",
    "sjabloon*",
    "template*",
    "werkafspraken",
    "protocol*",
    "work instruction*",
    "kwaliteitsrapport*",
    "quality report*",
    "formularium*",
    "formulary",
    // Anonymity is not here: a text that says it is anonymous is general
    // only when it names no one (`declared_anonymous`); "anonieme melding
    // over Piet Bakker" is about him.
    "procent",
    "percent",
    "server*",
    "bug",
    "bugs",
    "software",
    "applicatie",
    "systeem",
    "health check*",
    "healthcheck*",
    "webinar*",
    "congres*",
    "symposium",
    "voorlichting*",
    "awareness",
    "lezing",
    "e-learning",
    "onderzoekers",
    "researchers",
    "landelijk*",
    "wereldwijd",
    "worldwide",
    "nationwide",
    "mensen met",
    "people with",
    "patiënten met",
    "patients with",
    "cliënten met",
    "clienten met",
    "clients with",
    "bewoners met",
    "residents with",
    "kinderen met",
    "children with",
    "jongeren met",
    "patiëntenvereniging",
    "fonds",
    "collecte",
    "donatie*",
    "donate",
    "griepprik*",
    "flu shot*",
    "flu jab*",
    "beleid*",
    "policy",
    "policies",
    "diversiteit*",
    "diversity",
    "inclusie*",
    "inclusion",
    "cao",
    "onderhandel*",
    "negotiat*",
    "verkiezing*",
    "election*",
    "persbericht",
    "press release",
    // A news item, not news: "helaas geen goed nieuws", "not the news you
    // were hoping for" is said to someone about their own results.
    "nieuwsbericht*",
    "nieuwsitem*",
    "in het nieuws",
    "news item*",
    "in the news",
    "artikel",
    "article",
];
