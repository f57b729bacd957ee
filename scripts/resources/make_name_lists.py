#!/usr/bin/env python3
"""Builds crates/zegel-assess/resources/names/{first_names,last_names}.txt
from the person providers of the Faker package (MIT licence).

Usage:
    pip download --no-deps faker==40.54.0 -d /tmp/faker && cd /tmp/faker && unzip -q faker-*.whl
    # word lists that keep ordinary words out of the extra first names:
    git clone https://github.com/OpenTaal/opentaal-wordlist /tmp/opentaal   # (commit b250510)
    cat /tmp/opentaal/elements/basiswoorden-gekeurd.txt \
        /tmp/opentaal/elements/flexies-ongekeurd.txt > /tmp/opentaal-words.txt
    apt-get install wamerican                       # /usr/share/dict/american-english
    python3 scripts/resources/make_name_lists.py /tmp/faker \
        /tmp/opentaal-words.txt /usr/share/dict/american-english

The providers are read with `ast` (Faker is not imported, so its dependencies
are not needed). Locales: nl_NL, nl_BE, en_US, en_GB for first names and
surnames; first names also from the locales of the people who live in the
Netherlands and Belgium and write to or are written about by its care
organisations and municipalities (EXTRA_FIRST_LOCALES: Turkish, Maghreb,
Indian/Surinamese-Hindustani, East African, Southern and Eastern European).
An extra first name is dropped when it is an ordinary lowercase word in the
Dutch (OpenTaal) or English (SCOWL's wamerican) word list: "Mercedes"
stays a name, "Rosa" and "Can" do not become one.

Normalisation: surnames lose their leading tussenvoegsels ("van der Berg" ->
"Berg", "'s Gravensande" -> "Gravensande"), because the detector parses
tussenvoegsels itself; multi-word remainders (historical names such as
"Aelftrud van Wessex") are dropped; names shorter than three characters are
dropped (too many false hits). Output: one name per line, sorted,
deduplicated, in the spelling Faker gives (capitalised).
"""
import ast
import sys
from pathlib import Path

LOCALES = ["nl_NL", "nl_BE", "en_US", "en_GB"]
EXTRA_FIRST_LOCALES = [
    "tr_TR", "fr_DZ", "en_IN", "en_KE", "sw", "it_IT", "es_ES", "pt_PT",
    "pl_PL", "ro_RO", "de_DE", "fr_FR",
]
TUSSENVOEGSELS = {
    "van", "de", "der", "den", "het", "'t", "t", "ter", "ten", "te", "in", "op",
    "la", "le", "du", "di", "da", "von", "vander", "'s", "s", "uit", "aan", "d'",
}


def literal_names(node):
    """Names from a tuple/list literal, or OrderedDict(((name, weight), ...))."""
    if isinstance(node, ast.Call) and node.args:
        node = node.args[0]
    value = ast.literal_eval(node)
    out = []
    for item in value:
        out.append(item[0] if isinstance(item, tuple) else item)
    return out


def read_provider(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {}
    for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)]:
        for stmt in cls.body:
            if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                stmt = ast.Assign(targets=[stmt.target], value=stmt.value)
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                name = getattr(stmt.targets[0], "id", None)
                if name in ("first_names_male", "first_names_female", "last_names"):
                    try:
                        found[name] = literal_names(stmt.value)
                    except (ValueError, TypeError):
                        pass
    return found


def strip_prefixes(surname):
    words = surname.replace("\u2019", "'").split()
    while len(words) > 1 and words[0].lower() in TUSSENVOEGSELS:
        words = words[1:]
    return " ".join(words)


def main():
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
    first, last = set(), set()
    for loc in LOCALES:
        data = read_provider(root / "faker/providers/person" / loc / "__init__.py")
        for key in ("first_names_male", "first_names_female"):
            for n in data.get(key, []):
                n = n.strip()
                if len(n) >= 3 and " " not in n:
                    first.add(n)
        for n in data.get("last_names", []):
            n = strip_prefixes(n.strip())
            if len(n) >= 3 and " " not in n and n[0].isupper():
                last.add(n)
    words = set()
    for path in sys.argv[2:]:
        for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
            w = line.strip()
            if w and w == w.lower():
                words.add(w)
    extra = set()
    for loc in EXTRA_FIRST_LOCALES if words else []:
        data = read_provider(root / "faker/providers/person" / loc / "__init__.py")
        for key in ("first_names_male", "first_names_female"):
            for n in data.get(key, []):
                n = n.strip()
                if (len(n) >= 3 and " " not in n and n[0].isupper()
                        and n.lower() not in words and n not in first):
                    extra.add(n)
    first |= extra
    print(f"{len(extra)} extra first names from {len(EXTRA_FIRST_LOCALES)} locales")
    out = Path(__file__).resolve().parents[2] / "crates/zegel-assess/resources/names"
    out.mkdir(parents=True, exist_ok=True)
    (out / "first_names.txt").write_text("\n".join(sorted(first)) + "\n", encoding="utf-8")
    (out / "last_names.txt").write_text("\n".join(sorted(last)) + "\n", encoding="utf-8")
    print(f"{len(first)} first names, {len(last)} last names")


if __name__ == "__main__":
    main()
