//! Health data about a person: diagnoses, medication, treatment and care,
//! lab results, in Dutch and English.
//!
//! One Aho-Corasick automaton (built once in [`HealthDetector::new`]) over
//! [`Text::lower`] finds the terms; context is looked at only around hits.
//!
//! # Scoring
//!
//! Each term has a base confidence below the policy threshold of 0.5: a
//! health word alone does not say it is about someone. Diagnoses and
//! medication 0.4, lab values 0.35, treatment and care terms 0.3, symptoms
//! and infections 0.25, and
//! ambiguous care words (opname, huisarts, therapy, surgery, stroke) 0.2.
//! Then [`person_score`]: +0.4 with a strong person cue within about 100
//! bytes before or 80 after (cliënt, patiënt, mevrouw, meneer, dhr., mw., a
//! capitalised known name or an initial, "gediagnosticeerd", "vastgesteld",
//! "lijdt aan", "diagnosed", "suffers from", ...), or +0.2 with only a
//! pronoun (hij, zij, haar, he, she, his, her, uw, your; not the writer's ik, mijn, my). A
//! general or organisational context within about 200 bytes (campaign,
//! "week van de", newsletter, vacancy, all staff, ziekteverzuim statistics,
//! server, bug, software, "mensen met", policy, ...) caps the confidence at
//! 0.2. So "diabetes" alone scores 0.4, "zij heeft diabetes" 0.6,
//! "mevrouw Jansen heeft diabetes" 0.8, and "week van de diabetes" 0.2:
//! matches below 0.5 are reported for aggregation but must not by
//! themselves make a mail secure.

use crate::detect::context::{
    in_signature, person_score, titled_person, AboutPerson, Dictionary, PersonCues, GENERAL_CUES,
};
use crate::detect::measurement::{Measured, Measurements};
use crate::detect::{Detector, Text};
use crate::finding::{FindingKind, Match};

/// Base confidence of a measured lab value or a dosing regimen
/// ([`Measurements`]): a concrete value is nearer to a person than a term,
/// still below the threshold alone.
const MEASUREMENT_BASE: f32 = 0.45;

/// Generic medication names in English and Dutch spelling, from DrugBank's
/// open data (CC0): `resources/vocabulary/SOURCE.md`, rebuilt by
/// `scripts/resources/make_medication_list.py`. Scored as [`MEDICATION`].
const MEDICATION_VOCABULARY: &str = include_str!("../../resources/vocabulary/medication.txt");

/// Names of diseases and disorders in English and Dutch, from MeSH (U.S.
/// National Library of Medicine) with the Dutch spellings confirmed by the
/// OpenTaal word list: `resources/vocabulary/SOURCE.md`, rebuilt by
/// `scripts/resources/make_condition_list.py`. Scored as [`DIAGNOSES`],
/// also as the head of a Dutch compound.
const CONDITION_VOCABULARY: &str = include_str!("../../resources/vocabulary/conditions.txt");

/// The infectious diseases Dutch law makes notifiable, by their Dutch
/// names (Wet publieke gezondheid, art. 1, groups A, B1 and B2; Besluit
/// publieke gezondheid, group C): the names a GGD, a school or a GP writes
/// ("kinkhoest", "mazelen"), which MeSH has only in English.
/// `resources/vocabulary/SOURCE.md`. Scored as [`DIAGNOSES`].
const NOTIFIABLE_DISEASES: &str =
    include_str!("../../resources/vocabulary/notifiable_diseases.txt");

/// Conditions known by an acronym that is also an everyday word ("als",
/// "nah"): counted as a diagnosis only as written in capitals, as a word
/// of its own in mixed-case text ([`capital_acronyms`]). Found by a plain
/// (SIMD) search of the original text, not in the shared dictionary: "als"
/// is among the commonest Dutch words.
const CAPITAL_ACRONYMS: &[&str] = &[
    "ALS", // amyotrofische laterale sclerose
    "NAH", // niet-aangeboren hersenletsel
];

/// Diagnoses and conditions.
const DIAGNOSES: &[&str] = &[
    "diabetes*",
    "suikerziekte",
    "diabeet",
    "diabetic",
    "depressie*",
    "depressief",
    "depression",
    "dementie*",
    "dementerend*",
    "dementia",
    "alzheimer*",
    "parkinson*",
    "*kanker",
    "kanker*",
    "tumor",
    "tumoren",
    "tumour",
    "tumours",
    "leukemie",
    "leukemia",
    "leukaemia",
    "lymfoom",
    "lymphoma",
    "cancer",
    "uitgezaaid",
    "maligne",
    "maligniteit",
    "malignant",
    "malignancy",
    "*carcinoom",
    "carcinoma",
    "melanoom",
    "melanoma",
    "metastasen",
    "copd",
    "astma*",
    "asthma*",
    "schizofrenie",
    "schizofreen",
    "schizophrenia",
    "schizophrenic",
    "psychose*",
    "psychotisch*",
    "psychosis",
    "psychotic",
    "bipolair*",
    "bipolar",
    "manisch*",
    "adhd",
    "autisme*",
    "autistisch*",
    "autism",
    "autistic",
    "hartfalen",
    "hartinfarct",
    "herseninfarct",
    "hersenbloeding",
    "beroerte",
    "cva",
    "heart failure",
    "heart attack",
    "epilepsie",
    "koortsstuip*",
    "febrile seizure*",
    "epileptisch*",
    "epilepsy",
    "multiple sclerose",
    "multiple sclerosis",
    "hiv",
    "hepatitis*",
    "tuberculose",
    "tuberculosis",
    "tbc",
    "obesitas",
    "obesity",
    "anorexia*",
    "boulimia",
    "bulimia",
    "eetstoornis*",
    "eating disorder",
    "burn-out",
    "burnout",
    "overspannen*",
    "angststoornis*",
    "anxiety disorder",
    "paniekaanval*",
    "panic attack*",
    "ptss",
    "ptsd",
    "dwangstoornis*",
    "ocd",
    "persoonlijkheidsstoornis*",
    "personality disorder",
    "borderline*",
    "verslaving*",
    "verslaafd",
    "addiction",
    "addicted",
    "alcoholisme",
    "alcoholism",
    "alcoholist",
    "alcoholic",
    "suïcidaal",
    "suïcidepoging*",
    "suïcide*",
    "zelfmoordpoging*",
    "suicidal",
    "suicide attempt*",
    "zelfbeschadiging",
    "automutilatie",
    "self-harm",
    "hersenletsel",
    "niet-aangeboren hersenletsel",
    "brain injury",
    "verstandelijke beperking",
    "verstandelijk beperkt",
    "licht verstandelijk beperkt",
    "lvb",
    "learning disability",
    "intellectual disability",
    "downsyndroom",
    "syndroom van down",
    "down syndrome",
    "reuma*",
    "artrose",
    "arthritis",
    "osteoporose",
    "osteoporosis",
    "nierfalen",
    "nierinsufficiëntie",
    "kidney failure",
    "hypertensie",
    "hypertension",
    "hoge bloeddruk",
    "high blood pressure",
    "ziekte van crohn",
    "crohn's disease",
    "colitis*",
    "coeliakie",
    "long covid",
    "zwanger",
    "hoogzwanger",
    "zwangerschap*",
    "pregnant",
    "pregnancy",
    "miskraam",
    "miscarriage",
    "abortus",
    "delier",
    "delirium",
    "incontinent*",
    "decubitus",
    // A wheelchair someone uses, not one a place allows for ("wheelchair
    // accessible", "heeft u een rolstoel nodig").
    "in een rolstoel",
    "rolstoelgebruiker",
    "in a wheelchair",
    "uses a wheelchair",
    "wheelchair user",
    "wheelchair-bound",
    "slechthorend",
    "slechthorendheid",
    "doofheid",
    "gehoorverlies",
    "hoorverlies",
    "hearing loss",
    "sensorineural",
    "slechtziend",
    "hartritmestoornis*",
    "atriumfibrilleren",
    "boezemfibrilleren",
    "longontsteking",
    "pneumonie",
    "pneumonia",
    "sepsis",
    "heupfractuur",
    "*fractuur",
    "fracture*",
    // Wounds and injuries: the Dutch for the heads of the injury names in
    // MeSH C26 (wound, injury, contusion, sprain, dislocation, concussion,
    // ulcer), which the vocabulary holds in English only; as the head of a
    // compound too (`decubituswond`, `hamstringblessure`, `enkelverstuiking`).
    "*wond",
    "*wonden",
    "*letsel",
    "*blessure",
    "*blessures",
    "*kneuzing",
    "*verstuiking",
    "*ontwrichting",
    // Ligaments and tendons, the injuries of sport and falls
    // (`enkelbanden`, `kruisbandreconstructie`), and the verbs of injury.
    "enkelband*",
    "kruisband*",
    "meniscus*",
    "achillespees*",
    "ligament*",
    "verzwikt*",
    "verstuikt",
    "gekneusd*",
    "sprained",
    "dislocated",
    "luxatie",
    "hersenschudding",
    "ulcus",
    "gebroken pols",
    "gebroken arm",
    "gebroken been",
    "gebroken enkel",
    "broken wrist",
    "broken arm",
    "broken leg",
    "broken ankle",
    "broken hip",
    "in het gips",
    "in a cast",
    "gebroken heup",
    "hersenschudding",
    "concussion",
    "terminaal ziek",
    "terminally ill",
    "chronisch ziek",
    "chronically ill",
    "ziekte van lyme",
    "myasthenie",
    "als-patiënt",
    "cerebrale parese",
    "cerebral palsy",
    "spierziekte",
    "migraine",
    "slaapapneu",
    "sleep apnoea",
    "sleep apnea",
    // The words that name a disorder of any kind, so the names no list
    // holds are found by what they are (`taalontwikkelingsstoornis`,
    // `syndroom van Asperger`, `developmental language disorder`, `een
    // erfelijke aandoening`); as the head of a Dutch compound too.
    "*stoornis",
    "*stoornissen",
    "syndroom",
    "*syndroom",
    "aandoening",
    "disorder",
    "syndrome",
    // A diagnosis stated, whatever its name.
    "gediagnosticeerd",
    "diagnosed with",
];

/// Medication names and classes.
const MEDICATION: &[&str] = &[
    // A schedule of doses is one person's medication.
    "verstrekkingsschema*",
    "toedienschema*",
    "medicatieschema*",
    "afbouwschema*",
    "doseerschema*",
    "dosing schedule",
    "tapering schedule",
    "metformine",
    "metformin",
    "insuline*",
    "insulin*",
    "oxazepam",
    "diazepam",
    "lorazepam",
    "temazepam",
    "alprazolam",
    "benzodiazepine*",
    "benzo's",
    "methylfenidaat",
    "methylphenidate",
    "ritalin*",
    "concerta",
    "dexamfetamine",
    "antidepressiva",
    "antidepressivum",
    "antidepressant*",
    "ssri",
    "ssri's",
    "sertraline",
    "citalopram",
    "escitalopram",
    "paroxetine",
    "fluoxetine",
    "prozac",
    "venlafaxine",
    "mirtazapine",
    "amitriptyline",
    "lithium",
    "quetiapine",
    "olanzapine",
    "risperidon*",
    "haloperidol",
    "aripiprazol*",
    "clozapine",
    "antipsychotica",
    "antipsychoticum",
    "antipsychotic*",
    "methadon*",
    "buprenorfine",
    "buprenorphine",
    "naltrexon*",
    "morfine",
    "morphine",
    "oxycodon*",
    "fentanyl",
    "tramadol",
    "codeïne",
    "codeine",
    "prednison*",
    "prednisolon*",
    "methotrexaat",
    "methotrexate",
    "levothyroxine",
    "thyrax",
    "warfarine",
    "warfarin",
    "acenocoumarol",
    "fenprocoumon",
    "sintrom",
    "marcoumar",
    "apixaban",
    "rivaroxaban",
    "dabigatran",
    "clopidogrel",
    "simvastatine",
    "atorvastatine",
    "statines",
    "statins",
    "metoprolol",
    "bisoprolol",
    "amlodipine",
    "lisinopril",
    "enalapril",
    "losartan",
    "furosemide",
    "omeprazol*",
    "pantoprazol*",
    "salbutamol",
    "ventolin*",
    "seretide",
    // `antibioticakuur`
    "antibiotica*",
    "antibioticum",
    "antibiotics",
    "amoxicilline",
    "amoxicillin",
    "bloedverdunner*",
    "blood thinner*",
    "slaapmiddel*",
    "sleeping pill*",
    "opiaten",
    "opioïden",
    "opioids",
    "medicatie*",
    "medication",
    "medicijngebruik",
    "antabuse",
    "disulfiram",
    "clonidine",
    "melatonine",
    "haldol",
    "seroquel",
    "zyprexa",
    "abilify",
    "depakine",
    "valproaat",
    "lamotrigine",
    "levetiracetam",
    "keppra",
    "carbamazepine",
];

/// Lab values and measurements.
const LAB: &[&str] = &[
    "hba1c",
    "bloedwaarde*",
    "bloeduitslag*",
    "bloedsuiker*",
    "glucosewaarde*",
    "inr",
    "inr-waarde",
    "egfr",
    "kreatinine",
    "creatinine",
    "cholesterol*",
    "ldl-cholesterol",
    "hemoglobine",
    "haemoglobin",
    "hemoglobin",
    "hb-waarde",
    "tsh",
    "psa-waarde",
    "crp",
    "leukocyten",
    "trombocyten",
    "bloeddruk",
    "blood pressure",
    "blood sugar",
    "blood test*",
    "bloedtest*",
    "bloedonderzoek",
    "lab results",
    "labuitslag*",
    "laboratoriumuitslag*",
    "mmol/l",
    "mmhg",
    "ecg",
    "ekg",
    "mri-scan",
    "ct-scan",
    "röntgenfoto",
    "biopsie",
    "biopt",
    "biopsy",
    "saturatie",
    "urineonderzoek",
    "urinecontrole*",
    "tox-uitslag*",
    "toxicologisch onderzoek",
    "drugstest*",
    "drug test*",
    "viral load",
    "virale lading",
];

/// Treatments and care.
const CARE: &[&str] = &[
    "zorgindicatie",
    "wlz-indicatie",
    "behandelplan*",
    "ggz",
    "ggz-behandeling",
    "wijkverpleging",
    "wijkverpleegkundige",
    "thuiszorg",
    "dagbesteding",
    "ziekenhuisopname",
    "opgenomen in het ziekenhuis",
    "opgenomen op de",
    "psychiatrische opname",
    "gedwongen opname",
    "crisisopname",
    "ontslag uit het ziekenhuis",
    "ontslagen uit het ziekenhuis",
    "fysiotherapie",
    "fysiotherapeut",
    "ergotherapie",
    "logopedie",
    "psychotherapie",
    "psychiater",
    "psychiatrisch*",
    "geopereerd",
    "chemokuur",
    "chemo",
    "chemotherapie",
    "chemotherapy",
    "bestraling",
    "bestralingen",
    "radiotherapie",
    "radiotherapy",
    "immunotherapie",
    "immunotherapy",
    "revalidatie*",
    "rehabilitation",
    "verpleeghuis*",
    "hospice",
    "palliatieve zorg",
    "palliatief",
    "palliative care",
    "euthanasie",
    "euthanasia",
    "reanimatie",
    "niet reanimeren",
    "do not resuscitate",
    "dnr",
    "crisisdienst",
    "afkickkliniek",
    "detox",
    "physiotherapy",
    "occupational therapy",
    "speech therapy",
    "psychotherapy",
    "hospital admission",
    "admitted to hospital",
    "admitted to the hospital",
    "discharged from hospital",
    "discharged from the hospital",
    "intensive care",
    "home care",
    "district nursing",
    "mental health",
    "psychiatric",
    "psychiatrist",
    "nursing home",
    "dialyse",
    "dialysis",
    "keizersnede",
    "sectio",
    "spoedsectio",
    "caesarean section",
    "c-section",
    "transplantatie",
    "transplant",
    "pgb-zorg",
    "wmo-indicatie",
    "jeugd-ggz",
    "ggz-instelling",
    "crisisopvang",
    "sondevoeding",
    "stoma",
    "katheter",
    "catheter",
    "rolstoelgebonden",
    "wheelchair user",
    // Treatments and examinations by what they are, as the head of a
    // Dutch compound: `stemtherapie`, `gedragstherapie`, `laryngoscopie`,
    // `coloscopie`, `appendectomie`; and a post-mortem.
    "*therapie",
    "*scopie",
    "*ectomie",
    "obductie",
    "autopsie",
    "autopsy",
];

/// Symptoms and infections (0.25): only with a strong person cue, a name
/// or "mevrouw", do they pass the threshold; a pronoun is not enough.
const SYMPTOMS: &[&str] = &[
    "koorts",
    "fever",
    "*infectie",
    "infecties",
    "infection",
    "urinary tract infection",
    "blaasontsteking",
    "*ontsteking",
    "pijn bij plassen",
    "pijn op de borst",
    "chest pain",
    "kortademig*",
    "shortness of breath",
    "benauwdheid",
    "misselijk*",
    "nausea",
    "braken",
    "vomiting",
    "duizelig*",
    "dizziness",
    "uitdroging",
    "dehydration",
    "hallucinaties",
    "hallucinations",
    "doorligwond*",
    "pressure ulcer*",
    "mrsa*",
];

/// Words that, right after a term written apart from it, make it the
/// name of a service or role ("wound care", "diabetes nurse", "dementie
/// team"); in Dutch mostly written as one word, which no term matches.
const SERVICE_HEADS: &[&str] = &[
    "care",
    "clinic",
    "nurse",
    "nurses",
    "nursing",
    "team",
    "service",
    "services",
    "unit",
    "ward",
    "specialist",
    "specialists",
    "management",
    "policy",
    "protocol",
    "protocols",
    "dressing",
    "dressings",
    "supplies",
    "training",
    "check",
    "checks",
    "round",
    "rounds",
    "audit",
    "audits",
    "system",
    "software",
    "course",
    "workshop",
    "zorg",
    "poli",
    "polikliniek",
    "verpleegkundige",
    "verpleegkundigen",
    "spreekuur",
    "protocol",
    "beleid",
];

/// Words that, right before a care term, make it the name of a team,
/// service or role ("casemanagement dementie", "team wijkverpleging",
/// "poli diabetes"), not something about a person.
const ROLE_PREFIXES: &[&str] = &[
    "casemanagement",
    "casemanager",
    "team",
    "teams",
    "afdeling",
    "poli",
    "polikliniek",
    "specialist",
    "consulent",
    "coördinator",
    "coordinator",
    "praktijkondersteuner",
    "expertisecentrum",
    "ketenzorg",
    "netwerk",
    "zorgpad",
    "department",
    "clinic",
    "ward",
    "nurse",
    "verpleegkundige",
    "vakgroep",
    "planning",
    "planner",
];

/// Care professions: followed by a name they introduce the professional
/// ("onze wijkverpleegkundige Marieke de Vries"), not a patient.
const PROFESSIONS: &[&str] = &[
    "wijkverpleegkundige",
    "verpleegkundige",
    "fysiotherapeut",
    "ergotherapeut",
    "logopedist",
    "psychiater",
    "psycholoog",
    "huisarts",
    "arts",
    "psychiatrist",
    "psychologist",
    "physiotherapist",
    "nurse",
    "doctor",
];

/// Ambiguous care words: need a person cue to pass the threshold.
const WEAK: &[&str] = &[
    "opname",
    "huisarts",
    "psycholoog",
    "psychologist",
    "therapie",
    "therapy",
    "surgery",
    "operated on",
    "stroke",
    "paracetamol",
    "ibuprofen",
    "pijnstiller*",
    "painkiller*",
    "ziekenhuis",
    "hospital",
    "ziek",
    "ziekgemeld",
    "sick leave",
    "arts",
    "doctor",
];

/// Finds health data about a person (see the module doc for the scoring).
pub struct HealthDetector {
    terms: Dictionary,
    base: Vec<f32>,
    /// Per term: a care service or profession (can name a team or role).
    service: Vec<bool>,
    person: PersonCues,
    general: Dictionary,
    measurements: Measurements,
}

impl std::fmt::Debug for HealthDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HealthDetector")
    }
}

impl Default for HealthDetector {
    fn default() -> Self {
        HealthDetector::new()
    }
}

/// Heads of Dutch compounds that make a condition someone's own
/// (`dyslexieverklaring`, `epilepsiemedicatie`, `dementiediagnose`): the
/// condition as the first part of a compound is read as the condition
/// only before one of these, as `dementiezorg` or `diabetesverpleegkundige`
/// name a service or a job, not a person's condition.
const PERSONAL_HEADS: &[&str] = &[
    "verklaring",
    "diagnose",
    "medicatie",
    "behandeling",
    "aanval",
    "aanvallen",
    "klachten",
];

/// Whether a condition's name is Dutch enough to open a compound with a
/// [`PERSONAL_HEADS`] head: one word of letters (a hyphen allowed:
/// burn-out) with a Dutch medical ending (dyslexie, artrose, autisme,
/// glaucoom) or from the hand-written Dutch list. The English names are left out: a compound of each of the
/// 3,000 with each head would grow the automaton fourfold (measured:
/// 136 MB instead of 31 MB, 60 % slower over ordinary text).
fn dutch_condition(term: &str) -> bool {
    term.chars().all(|c| c.is_alphabetic() || c == '-')
        && term.chars().count() >= 5
        && (DIAGNOSES.contains(&term)
            || ["ie", "ose", "isme", "oom"]
                .iter()
                .any(|end| term.ends_with(end)))
}

/// A condition or symptom as the head of a Dutch compound: in Dutch the
/// last part of a compound names what it is (`alcoholverslaving` is a
/// verslaving, `urineweginfectie` an infectie, `decubituswond` a wond), so
/// a single-word term of eight or more letters also matches at the end of
/// a longer word, and one that may continue (`verslaving*`) anywhere in it.
/// Shorter terms stay as written: `manisch` must not match `germanisch`.
fn compound_head(term: &str) -> String {
    let word = term.trim_matches('*');
    let single = word.chars().all(char::is_alphabetic) && word.chars().count() >= 8;
    if !single || term.starts_with('*') {
        return term.to_string();
    }
    format!("*{term}")
}

impl HealthDetector {
    /// Compiles the dictionaries.
    pub fn new() -> HealthDetector {
        let mut all: Vec<String> = Vec::new();
        let mut base = Vec::new();
        let mut service = Vec::new();
        for (list, b, is_service, compounds) in [
            (DIAGNOSES, 0.4, false, true),
            (MEDICATION, 0.4, false, false),
            (LAB, 0.35, false, false),
            (CARE, 0.3, true, false),
            (SYMPTOMS, 0.25, false, true),
            (WEAK, 0.2, true, false),
        ] {
            all.extend(list.iter().map(|t| {
                if compounds {
                    compound_head(t)
                } else {
                    t.to_string()
                }
            }));
            base.extend(std::iter::repeat_n(b, list.len()));
            service.extend(std::iter::repeat_n(is_service, list.len()));
        }
        // The vocabularies, less what the lists above already hold; the
        // notifiable diseases also less the names MeSH already gives in
        // Dutch (`legionellose`, `malaria`), whose pattern finds them too.
        let listed: std::collections::HashSet<String> = all
            .iter()
            .map(|t| t.trim_matches('*').to_string())
            .collect();
        let conditions: std::collections::HashSet<&str> =
            CONDITION_VOCABULARY.lines().map(str::trim).collect();
        let vocabulary = MEDICATION_VOCABULARY
            .lines()
            .map(|t| (t.trim().to_string(), 0.4))
            .chain(
                CONDITION_VOCABULARY
                    .lines()
                    .map(|t| (compound_head(t.trim()), 0.4)),
            )
            .chain(
                CONDITION_VOCABULARY
                    .lines()
                    .map(str::trim)
                    .chain(DIAGNOSES.iter().copied())
                    .filter(|t| dutch_condition(t))
                    .flat_map(|t| {
                        PERSONAL_HEADS
                            .iter()
                            .map(move |head| (format!("{t}{head}"), 0.4))
                    }),
            )
            .chain(
                NOTIFIABLE_DISEASES
                    .lines()
                    .map(str::trim)
                    .filter(|t| !conditions.contains(t))
                    .map(|t| (t.to_string(), 0.4)),
            )
            .filter(|(t, _)| !t.is_empty() && !listed.contains(t.trim_matches('*')))
            .collect::<Vec<_>>();
        for (term, b) in vocabulary {
            all.push(term);
            base.push(b);
            service.push(false);
        }
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        HealthDetector {
            terms: Dictionary::shared(&all),
            base,
            service,
            person: PersonCues::new(),
            general: Dictionary::shared(GENERAL_CUES),
            measurements: Measurements::new(),
        }
    }
}

impl Detector for HealthDetector {
    fn kind(&self) -> FindingKind {
        FindingKind::Health
    }

    fn detect(&self, text: &Text<'_>, out: &mut Vec<Match>) {
        // Cue positions are found once per text, and only if a term is hit.
        let about = AboutPerson::new(text, &self.person, &self.general).named_outweighs_general();
        // Diagnoses, medication and measurements that stayed below the
        // threshold for want of a person nearby: (index in `out`, what was
        // found, its base confidence).
        let mut unattached: Vec<(usize, Found, f32)> = Vec::new();
        let mut push = |start: usize, end: usize, found: Found, base: f32, service: bool| {
            let (ctx, general) = about.at(start, end);
            let mut confidence = person_score(base, ctx, general);
            if names_a_role(text, start, end, service) {
                confidence = confidence.min(0.2);
            } else if service && about.any_general_cue() {
                // A care service or profession named in a text with a
                // general or organisational side (a referral guide, a
                // newsletter, a vacancy) is where one goes, not what
                // someone has: it informs, it does not decide.
                confidence = confidence.min(0.45);
            } else if !general && confidence < 0.5 && base >= 0.4 {
                unattached.push((out.len(), found, base));
            }
            out.push(Match {
                kind: FindingKind::Health,
                span: start..end,
                excerpt: text.original[start..end].to_string(),
                confidence,
            });
        };
        self.terms.find_in(text, |hit| {
            let base = self.base[hit.term];
            push(
                hit.start,
                hit.end,
                Found::Term(hit.term),
                base,
                self.service[hit.term],
            );
        });
        for (index, span) in capital_acronyms(text.original) {
            push(span.start, span.end, Found::Acronym(index), 0.4, false);
        }
        for span in stated_diagnoses(text.original, &text.lower) {
            push(span.start, span.end, Found::Stated, 0.4, false);
        }
        self.measurements.find_in(text, |span, measured| {
            push(
                span.start,
                span.end,
                Found::Measured(measured),
                MEASUREMENT_BASE,
                false,
            );
        });
        attach_to_record(text, &unattached, out);
    }
}

/// What the health detector found: a term of its lists or a measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Found {
    /// The index of a term.
    Term(usize),
    /// A lab value (per analyte) or a dosing regimen.
    Measured(Measured),
    /// The index of a [`CAPITAL_ACRONYMS`] entry.
    Acronym(usize),
    /// What a stated diagnosis names ([`stated_diagnoses`]).
    Stated,
}

/// Words after `bij` that name a person: pronouns, titles and the people
/// care writes about (`bij haar`, `bij mevrouw`, `bij de patiënt`, `bij uw
/// zoon`); a known name counts too (`bij Wim`).
const STATED_PERSONS: &[&str] = &[
    "hem",
    "haar",
    "u",
    "jou",
    "jullie",
    "mevrouw",
    "meneer",
    "mevr",
    "mw",
    "dhr",
    "heer",
    "patiënt",
    "patient",
    "cliënt",
    "client",
    "bewoner",
    "kind",
    "zoon",
    "dochter",
    "vader",
    "moeder",
    "man",
    "vrouw",
    "partner",
    "deelnemer",
    "cursist",
    "leerling",
    "medewerker",
    "echtgenoot",
    "echtgenote",
    "baby",
    "broer",
    "zus",
];

/// Diagnoses stated as such, whatever they are called: "bij <someone>
/// is/werd <X> vastgesteld" ("Bij haar is rechts een complete doofheid
/// vastgesteld", "Bij Wim is vorig jaar ALS vastgesteld"). The range is X,
/// at most eight words, within one sentence; not a negation ("er is niets
/// vastgesteld") and not a finding of fact ("is vastgesteld dat ...").
/// Found by a plain (SIMD) search for "vastgesteld", rare in other text.
fn stated_diagnoses(original: &str, lower: &str) -> Vec<std::ops::Range<usize>> {
    const VERBS: &[&str] = &[" is ", " werd ", " was ", " zijn "];
    let mut out = Vec::new();
    for v in memchr::memmem::find_iter(lower.as_bytes(), "vastgesteld") {
        let after = &lower[v + "vastgesteld".len()..];
        let next = after.split_whitespace().next().unwrap_or("");
        if matches!(next, "dat" | "te") || after.starts_with(|c: char| c.is_alphanumeric()) {
            continue;
        }
        let mut from = v.saturating_sub(160);
        while !lower.is_char_boundary(from) {
            from += 1;
        }
        let before = &lower[from..v];
        let sentence = sentence_start(before);
        let Some(bij) = before[sentence..]
            .rfind("bij ")
            .map(|p| from + sentence + p)
            .filter(|&p| p == 0 || !lower.as_bytes()[p - 1].is_ascii_alphanumeric())
        else {
            continue;
        };
        let Some((verb_at, verb)) = VERBS
            .iter()
            .filter_map(|verb| lower[bij..v].find(verb).map(|p| (bij + p, *verb)))
            .min()
        else {
            continue;
        };
        let person = &original[bij + 4..verb_at];
        let names = crate::detect::names::mentions_name(person)
            || person.split_whitespace().take(3).any(|w| {
                let w = w.trim_matches(|c: char| !c.is_alphanumeric());
                STATED_PERSONS.contains(&w.to_lowercase().as_str())
            });
        let what = verb_at + verb.len()..v;
        let words: Vec<&str> = lower[what.clone()].split_whitespace().collect();
        let negated = words
            .iter()
            .any(|w| matches!(*w, "niets" | "geen" | "niet" | "nog"));
        let content = words.iter().any(|w| {
            w.chars().filter(|c| c.is_alphabetic()).count() >= 3
                && !matches!(
                    *w,
                    "het" | "dit" | "dat" | "als" | "wel" | "ook" | "toen" | "daar"
                )
        });
        if names && content && words.len() <= 8 && !negated {
            let start =
                what.start + (lower[what.clone()].len() - lower[what.clone()].trim_start().len());
            let end = what.end - (lower[what.clone()].len() - lower[what.clone()].trim_end().len());
            out.push(start..end);
        }
    }
    out
}

/// Where the sentence that ends `before` starts: after the last `!`, `?`,
/// line break or full stop, not counting the stop of an abbreviation or
/// an initial ("bij mevr. Jansen", "bij J. de Vries").
fn sentence_start(before: &str) -> usize {
    const ABBREVIATIONS: &[&str] = &["dhr", "mevr", "mw", "mr", "dr", "drs", "ir", "prof", "ing"];
    let bytes = before.as_bytes();
    let mut at = before.len();
    while let Some(p) = before[..at].rfind(['.', '!', '?', '\n']) {
        if bytes[p] != b'.' {
            return p + 1;
        }
        let word_start = before[..p]
            .rfind(|c: char| !c.is_alphanumeric())
            .map_or(0, |q| q + 1);
        let word = &before[word_start..p];
        if word.chars().count() > 1 && !ABBREVIATIONS.contains(&word) {
            return p + 1;
        }
        at = p;
    }
    0
}

/// Where the [`CAPITAL_ACRONYMS`] stand in `original`: in capitals, as a
/// word (not part of a code such as `ALS-1200`), and not in a run of
/// capitals ("ALS U VRAGEN HEEFT").
fn capital_acronyms(original: &str) -> Vec<(usize, std::ops::Range<usize>)> {
    let bytes = original.as_bytes();
    let capitals = |word: &str| {
        !word.is_empty()
            && word.chars().all(|c| !c.is_lowercase())
            && word.chars().any(char::is_uppercase)
    };
    let mut out = Vec::new();
    for (index, acronym) in CAPITAL_ACRONYMS.iter().enumerate() {
        for start in memchr::memmem::find_iter(original.as_bytes(), acronym) {
            let end = start + acronym.len();
            let before = start.checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(end).copied();
            let code = after == Some(b'-') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
            if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-' || b >= 0x80)
                || after.is_some_and(|b| b.is_ascii_alphanumeric() || b >= 0x80)
                || code
            {
                continue;
            }
            let previous = original[..start].split_whitespace().next_back();
            let next = original[end..].split_whitespace().next();
            let shouted = [previous, next]
                .into_iter()
                .flatten()
                .any(|w| capitals(w.trim_matches(|c: char| !c.is_alphanumeric())));
            if !shouted {
                out.push((index, start..end));
            }
        }
    }
    out
}

/// A record about one person: a referral or hand-over lays out a person's
/// name in one field and diagnoses, medication and lab values in others,
/// too far apart for the person cues around each. When a text speaks of
/// someone by title and name ([`titled_person`]) and holds two or more
/// different such findings outside any general context, those are about
/// that person (base + 0.3).
fn attach_to_record(text: &Text<'_>, unattached: &[(usize, Found, f32)], out: &mut [Match]) {
    let mut found: Vec<Found> = unattached.iter().map(|&(_, f, _)| f).collect();
    found.sort_unstable();
    found.dedup();
    if found.len() < 2 || !(titled_person(text.original) || readers_results(&text.lower)) {
        return;
    }
    for &(i, _, base) in unattached {
        out[i].confidence = out[i].confidence.max(base + 0.3);
    }
}

/// Whether `start..end` lies inside an e-mail address or a web address
/// (`j.arts@ggd.nl`, `www.ggd.nl/griep`): part of a name or a path.
fn in_address(original: &str, start: usize, end: usize) -> bool {
    let delimiter = |c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '"' | '\'');
    let from = original[..start].rfind(delimiter).map_or(0, |p| p + 1);
    let to = original[end..]
        .find(delimiter)
        .map_or(original.len(), |p| end + p);
    let token = &original[from..to];
    token.contains('@') || token.contains("://") || token.starts_with("www.")
}

/// Whether the capitalised word at `start` follows a capitalised first name
/// and so is a surname, whatever else it means: "Jeroen Arts", "Anna
/// Koorts", not the profession or the symptom.
fn surname_after_first_name(original: &str, start: usize) -> bool {
    if !original[start..].starts_with(|c: char| c.is_uppercase()) {
        return false;
    }
    let Some(before) = original[..start].strip_suffix(' ') else {
        return false;
    };
    let first = before
        .rsplit(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or("");
    crate::detect::names::is_capitalised(first)
        && crate::detect::names::with_lowercase(first, crate::detect::names::is_first_name)
}

/// Whether `lower` hands the reader their own results ("hierbij je
/// uitslagen:", "uw bloedwaarden", "your results"): the values that follow
/// are the reader's, a record about one person as a titled name makes it.
fn readers_results(lower: &str) -> bool {
    const POSSESSIVES: &[&str] = &["je ", "jouw ", "uw ", "your "];
    const RESULTS: &[&str] = &[
        "uitslag",
        "bloeduitslag",
        "labuitslag",
        "resultaten",
        "bloedwaarden",
        "waarden",
        "results",
        "test results",
        "blood results",
    ];
    POSSESSIVES.iter().any(|p| {
        memchr::memmem::find_iter(lower.as_bytes(), p.as_bytes()).any(|at| {
            let word_start = at == 0 || !lower[..at].ends_with(|c: char| c.is_alphanumeric());
            let rest = &lower[at + p.len()..];
            word_start && RESULTS.iter().any(|r| rest.starts_with(r))
        })
    })
}

/// Whether the care term at `start..end` names a team, service or role
/// rather than something about a person: any term right after a role word
/// ("casemanagement dementie"); a care service (`service`) also first in
/// brackets after a name, as a person's department ("Anne de Vries
/// (wijkverpleging, team Noord)"), or a profession right before a name
/// ("wijkverpleegkundige Marieke").
fn names_a_role(text: &Text<'_>, start: usize, end: usize, service: bool) -> bool {
    if in_signature(&text.lower, start)
        || surname_after_first_name(text.original, start)
        || in_address(text.original, start, end)
    {
        return true;
    }
    let before = text.lower[..start].trim_end();
    let last_word = before
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    if ROLE_PREFIXES.contains(&last_word) {
        return true;
    }
    // "wound care", "diabetes nurse", "dementie team": the term modifies
    // the name of a service or role that follows it.
    let next_word = text.lower[end..]
        .strip_prefix(' ')
        .and_then(|rest| rest.split(|c: char| !c.is_alphanumeric()).next())
        .unwrap_or("");
    if SERVICE_HEADS.contains(&next_word) {
        return true;
    }
    if !service {
        return false;
    }
    let term = &text.lower[start..end];
    if PROFESSIONS.contains(&term) {
        let next = text.original[end..].trim_start_matches([' ', '\t']);
        if next.chars().next().is_some_and(char::is_uppercase) {
            return true;
        }
        // "Marieke Hofstede, psychiater", "Sanne Oosterhuis, huisarts": a
        // profession in apposition to a name is that person's role.
        if let Some(name) = text.original[..start].trim_end().strip_suffix(',') {
            let word = name
                .rsplit(|c: char| c.is_whitespace())
                .next()
                .unwrap_or("");
            if crate::detect::names::is_capitalised(word) && !name.ends_with(['.', ':']) {
                return true;
            }
        }
    }
    let Some(prefix) = before.strip_suffix('(') else {
        return false;
    };
    let closed = text.lower[end..].trim_start().starts_with([')', ',']);
    // The word before the bracket starts with a capital in the original.
    let name_end = prefix.trim_end();
    let word = name_end.rsplit(char::is_whitespace).next().unwrap_or("");
    let after_name = text.original[name_end.len() - word.len()..]
        .chars()
        .next()
        .is_some_and(char::is_uppercase);
    closed && after_name
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::detect::threshold_checks!(HealthDetector::new());

    #[test]
    fn values_handed_to_the_reader_as_their_results_are_theirs() {
        let results = "Beste Remco,\n\nHierbij je uitslagen:\n\nBloeddruk: 158/97 mmHg \
                       (verhoogd)\nTotaal cholesterol: 6,9 mmol/l, LDL 4,8 mmol/l\nNuchtere \
                       glucose: 6,4 mmol/l\n";
        must_find(results);
        // The same values as a reference table, handed to no one.
        must_not(&results.replace("Hierbij je uitslagen", "Referentiewaarden"));
        assert!(readers_results("your test results are back"));
        assert!(!readers_results("bekijk de uitslagen in het portaal"));
        assert!(!readers_results("hebben jullie uitslagen"));
    }

    #[test]
    fn a_diagnosis_stated_as_such_whatever_it_is_called() {
        must_find("Mevrouw Esmee Dijkstra-Kok is gisteren geweest. Bij haar is rechts een complete cochleaire uitval vastgesteld na de operatie.");
        must_find("Bij Jesse werd in maart een zeldzame stofwisselingsziekte vastgesteld.");
        must_find(
            "Bij mevr. J. Dekker werd in maart een zeldzame stofwisselingsafwijking vastgesteld.",
        );
        must_not("Bij de controle is vastgesteld dat de deur openstond.");
        must_not("Bij haar is gelukkig niets vastgesteld.");
        must_not("Bij de inspectie werden drie gebreken vastgesteld.");
        must_not("Bij Rijkswaterstaat is schade aan de dijk vastgesteld.");
    }

    #[test]
    fn a_condition_whose_acronym_is_a_word_counts_only_in_capitals() {
        must_find("Bij Wim is vorig jaar ALS vastgesteld en hij zit inmiddels in een rolstoel.");
        must_find("Mevrouw Dekker heeft NAH na een ongeluk in 2019.");
        must_not("Bij Wim is het als vastgesteld te beschouwen.");
        must_not("ALS U VRAGEN HEEFT, BELT U DAN GERUST MET MEVROUW JANSEN.");
        must_not("Mevrouw Jansen vraagt of de ALS-1200 pomp geleverd is.");
    }

    #[test]
    fn finds_dutch_health_data_about_a_person() {
        must_find("Bij mevrouw Jansen is diabetes type 2 vastgesteld.");
        // A condition that makes a compound someone's own.
        must_find("Op basis van jouw dyslexieverklaring krijg je 25% extra tijd.");
        must_find("Meneer Bakker heeft zijn epilepsiemedicatie thuis laten liggen.");
        // The reader's own, by an informal possessive.
        must_find("benzodiazepines: negatief (je oxazepam was niet meer aantoonbaar)");
        must_find("Ik bespreek jouw metformine volgende week.");
        must_find("Een korte samenvatting:\n- Je diabetes type 1 is nog niet stabiel.");
        must_not("re: dhr. hendriks – je");
        must_not("– metformine");
        // Wounds and injuries, also as the head of a compound.
        must_find("Mevrouw Jansen heeft een decubituswond op de hiel.");
        must_find("Dhr. Pieters liep een hamstringblessure op.");
        must_find("Quick update on Jesse Brouwer: he had a re-injury on the same side.");
        must_find("Aanmelding mw. Ria de Jong - alcoholverslaving, valt vaak");
        must_find("Mevrouw de Wit heeft een urineweginfectie.");
        // "ze" with a verb in the singular is she.
        must_find("Pijn is wat minder maar nog steeds uitstraling rechts en ze gebruikt nog dagelijks tramadol.");
        must_not("Ze gebruiken vaak tramadol bij rugpijn.");
        // Notifiable diseases by their Dutch names (Wpg).
        must_find("Jayden Bakker (peutergroep Vlinders) positief op kinkhoest");
        must_find("Spoedsectio mw. Yasmina El Amrani 14/3 - uren aanpassen");
        must_find("Koortsstuip Finn Bosman op de groep vanmiddag");
        must_not("Het aantal meldingen van mazelen steeg in 2024 naar 312.");
        // A surname that is also a care word.
        must_not(
            "Aan: Jeroen Arts <j.arts@ggd.nl>\nOnderwerp: Begroting 2025 voor cliënt-ondersteuning",
        );
        must_not("Meer over de prik voor cliënten: www.ggd.nl/griep of mail griep@ggd.nl");
        must_find("Cliënt Jeroen Jansen vraagt een arts te bellen over zijn diabetes.");
        // Bad news is told to someone, not published.
        must_find(
            "a summary of your glucose tolerance test:\n- fasting glucose: 5.9 mmol/l\n\n\
             This means you have gestational diabetes. I know this is not the news you were \
             hoping for.",
        );
        must_not("Nieuwsbericht: steeds meer mensen hebben diabetes.");
        // The insured, the girl: the person an insurer or youth worker means.
        must_find("Cause: the insured suffered a traumatic injury to his right hand.");
        must_find("de casus van het meisje van 17 uit Zeist: anorexia nervosa, BMI 14,2");
        must_not("Een meisje met anorexia nervosa heeft vaak een laag BMI.");
        must_find("De bewoner met dementie is vannacht gevallen.");
        // History quoted below a signature is content.
        must_find(
            "Met groet,\nMarloes\n\n> Op 3 okt schreef Jan:\n> Mevrouw Jansen heeft diabetes.",
        );
        must_find("Nieuwsbrief, beleid en campagne: dat terzijde. De kandidaat, Frank Bemelmans, vertelde dat hij aan een depressie lijdt.");
        // A referral laid out as a record: the name in one field, the
        // conditions in others.
        must_find(
            "Patiënt\tdhr. Y. Benali\nReden\tFrozen shoulder rechts, klachten sinds augustus, toenemende bewegingsbeperking\nVoorgeschiedenis\tDM type 2, status na CVA 2023 zonder restverschijnselen, verder blanco\nBehandeling\tinjectie, naproxen",
        );
        // From the medication vocabulary (DrugBank), not the hand list.
        must_find("Mevrouw Pels gebruikt sinds kort quetiapine.");
        must_find("Mr Brown was started on levothyroxine.");
        must_find("Dhr. Bakker heeft last van een depressieve stemming.");
        must_find("Cliënt gebruikt sinds maart oxazepam 10 mg.");
        must_find("Client gebruikt metformine en insuline.");
        must_find("Dhr. de Vries is gisteren opgenomen in het ziekenhuis.");
        must_find("Zij heeft last van een depressie en krijgt antidepressiva.");
        must_find("De patiënt heeft een HbA1c van 58 mmol/mol.");
        must_find("Hij is gediagnosticeerd met schizofrenie.");
        must_find("Mw. Bakker krijgt wijkverpleging en fysiotherapie.");
        must_find("Patiënte start volgende week met de chemokuur.");
        must_find("Zijn zoon heeft ADHD en gebruikt methylfenidaat.");
        must_find("De INR van meneer Pietersen was 4,2.");
        must_find("Sanne lijdt aan een angststoornis.");
        must_find("J. Mulder heeft longkanker.");
        must_find("Zij is geïndiceerd voor GGZ-behandeling wegens psychose.");
    }

    #[test]
    fn finds_english_health_data_about_a_person() {
        must_find("The patient was diagnosed with dementia last year.");
        must_find("Mrs Smith is taking warfarin and her INR is unstable.");
        must_find("He suffers from COPD and heart failure.");
        must_find("My daughter has autism.");
        must_find("Client was discharged from hospital on Monday.");
        must_find("Your tenant, Ms Olivia Grant: after a road accident in August she now uses a wheelchair.");
        must_find("Your left ear shows a moderate high-frequency sensorineural loss.");
        must_find("Bij meneer Aksoy is lawaaigehoorverlies vastgesteld.");
        must_find("Fatima is hoogzwanger en wil graag verhuisd zijn voor de baby er is.");
        must_find("Dawit Haile is door de GGD gezien. Er is open tbc vastgesteld en hij is gestart met een antibioticakuur van zes maanden.");
    }

    #[test]
    fn term_alone_is_below_threshold() {
        must_not("Diabetes is een chronische aandoening.");
        must_not("Insulin regulates blood glucose.");
    }

    #[test]
    fn a_case_declared_anonymous_is_about_no_identifiable_person() {
        let case = "Voor de intervisie een casus, niet herleidbaar beschreven.\n\n\
                    Een vrouw van begin 80, bekend met hartfalen en diabetes. Ze weigert \
                    de weging.\n\nGroet,\nThijs";
        must_not(case);
        // A name or a title undoes the claim.
        must_find(&case.replace("Een vrouw van begin 80", "Mevrouw Jansen, 82"));
        must_find("Anonieme melding over Piet Hein Bakker: bekend met hartfalen.");
    }

    #[test]
    fn general_words_do_not_hide_a_named_persons_health_data() {
        // Fail-open probes: a careless or crafty writer adds protocol,
        // guideline or training words to a report about someone.
        must_find(
            "Volgens het protocol meld ik: mevrouw Jansen is gevallen en heeft een heupfractuur.",
        );
        must_find("Volgens protocol gemeld: dhr. Bakker heeft een urineweginfectie.");
        must_find(
            "Conform de richtlijn is mevrouw De Vries gestart met metformine vanwege diabetes.",
        );
        must_find("Na de scholing van vorige week: mevrouw Jansen heeft diabetes.");
        must_find("Dhr. Bakker (geb. 1950) heeft volgens de richtlijn een depressie.");
    }

    #[test]
    fn a_care_service_in_an_organisational_text_does_not_decide() {
        must_find("Mevrouw Jansen is in behandeling bij de psychiater.");
        must_not(
            "In deze nieuwsbrief: mevrouw Jansen vertelt hoe de psychiater en de \
             psycholoog samenwerken.",
        );
        // A diagnosis still does.
        must_find("De nieuwsbrief volgt later.\n\nMevrouw Jansen heeft sinds gisteren een delier.");
    }

    #[test]
    fn a_statement_in_its_own_clause_outweighs_a_general_word_nearby() {
        // "gemiddeld" is a general cue; here it is the mother's average.
        must_find(
            "Het bloedsuikergehalte is de afgelopen week te hoog geweest (gemiddeld 14 mmol/l). \
             Ook is er een urineweginfectie vastgesteld waarvoor zij nitrofurantoïne krijgt.",
        );
    }

    #[test]
    fn lab_values_and_regimens_about_a_person_are_health_data() {
        must_find("Bij mevrouw De Wit vanochtend Hb 6,1 mmol/l gemeten.");
        must_find("Haar RR was 165/95, saturatie 90%.");
        must_find("Dhr. Bakker gebruikt Eliquis 5 mg 2dd.");
        must_find("Patient started on Xarelto 20 mg once daily.");
        // Two values in a record about someone named by title.
        must_find(
            "Betreft: dhr. K. Vos\n\nLab:\nkreatinine 142 µmol/l\n\n\n\nVerder:\nCRP 87 mg/l",
        );
        // Alone, or as a threshold in a guideline, not.
        must_not("Hb 6,1 mmol/l");
        must_not("Richtlijn: bij een eGFR < 30 ml/min de dosis van metformine halveren.");
        must_not("Formularium: paracetamol 500 mg max 4dd, diclofenac 50 mg 2dd.");
    }

    #[test]
    fn ignores_general_and_organisational_uses() {
        must_not("Graag je reactie.\n\nMet groet,\nMarloes\n\nMarloes Verhoeven\nWijkverpleegkundige | aandachtsvelder diabetes\nThuiszorg De Meander");
        must_not("13:45  Signalen herkennen - Marieke Hofstede, psychiater\n14:45  pauze");
        // The writer's own "ik" is not a patient.
        must_not("Punten waar ik jouw mening over wil: fosfomycine alleen als tweede keus?");
        // A newsletter is general throughout, also far from its cue words.
        must_not("Nieuwsbrief februari\n\nDe griepprik komt eraan, zie ons beleid op de website.\n\nEen hele alinea over het schoolplein, de nieuwe fietsenstalling, de juffen en meesters van groep 3 en 4, de ouderavond van dinsdag en de kerstmarkt die dit jaar gewoon weer doorgaat, met chocolademelk.\n\nIs uw kind zwanger van een broertje of zusje? Grapje: fijn als u het ons laat weten.");
        must_not("Geachte mevrouw Hartman,\n\nWij organiseren in april een middag voor onze vrijwilligers en mantelzorgers in de regio Rivierstad, met koffie en een lunch.\nKunt u dan vertellen wat diabetes en COPD zijn, en wat metformine doet?");
        must_not("3. Maatje voor een bewoner met dementie: samen wandelen, de krant lezen.");
        // A place a wheelchair can reach says nothing of anyone.
        must_not("Start: 10:00 at the town hall, 5 km, wheelchair accessible.\n\nDavid Morgan\nZorggroep Horizon");
        // The text of a flyer speaks to every reader.
        must_not("Hierbij de tekst voor de flyer en de poster.\nBody: Een hoortest duurt 20 minuten. Ook voor vragen over oorsuizen (tinnitus) of het schoonmaken van uw hoortoestel kunt u langskomen.");
        // A training for volunteers names where its teacher works.
        must_not("Daarom organiseren we een training van twee avonden.\nWanneer: dinsdag 25 november\nDoor: een geestelijk verzorger van het hospice in de regio");
        must_not("Your first week: from Wednesday on you will do the medication checks together with Ruben.");
        must_not("Some of our clients need wound care at home. Could you tell me whether your service provides it?");
        // "je" as the subject of a question is anyone.
        must_not("Heb je diabetes? Dan is het spreekuur op dinsdag iets voor jou.");
        must_not("Every patient with diabetes gets a yearly check.");
        must_not("We diagnosed the bug in the server, it was a memory leak.");
        must_not("Please run a health check of the server tonight.");
        must_not("De griepprik campagne: alle medewerkers kunnen zich laten vaccineren.");
        must_not("Flu shot campaign for all staff next Tuesday.");
        must_not("In de nieuwsbrief: de week van de diabetes, met een lezing over insuline.");
        must_not("Het ziekteverzuim was 5 procent; burn-out is de grootste oorzaak.");
        must_not("Vacature: wij zoeken een wijkverpleegkundige voor 32 uur.");
        must_not("In Nederland zijn er ruim een miljoen mensen met diabetes.");
        must_not("Hij stuurt de notulen van het overleg over de nieuwe huisstijl.");
        must_not("The ARTS festival, a HOSPITALity course and a stroke of luck.");
    }

    #[test]
    fn finds_symptoms_and_infections_about_a_person() {
        must_find("Rapportage Johanna Bakker\nPijn bij plassen, koorts 38,6. Vermoedelijk urineweginfectie.");
        must_find("Meneer Pietersen is sinds gisteren kortademig.");
        must_find("Mrs Smith has a fever and a urinary tract infection.");
        must_not("De koorts van de verkiezingen is voorbij.");
        must_not("Het protocol infectiepreventie is herzien.");
        must_not("Infecties voorkomen: was uw handen.");
    }

    #[test]
    fn care_terms_naming_a_team_or_role_are_not_about_a_person() {
        must_not("Anne de Vries (wijkverpleging) en Fatima El Idrissi (casemanagement\ndementie) schuiven aan.");
        must_not("Jan Smit, casemanager dementie, neemt contact op.");
        must_not("Mevrouw Jansen van team wijkverpleging belt u terug.");
        must_find("Mevrouw Jansen heeft dementie (diagnose 2023).");
        must_find("Mevrouw Jansen krijgt wijkverpleging.");
        must_not("Aanwezig: Marieke de Vries (wijkverpleging, team Noord) en Daan de Boer (planning thuiszorg).");
        must_not("Beste meneer Gerritsen, het kennismakingsgesprek is met onze wijkverpleegkundige Marieke de Vries.");
        must_find("Meneer Gerritsen krijgt sinds maart hulp van de wijkverpleegkundige.");
        must_find("Mevrouw Bakker (dementie, woont alleen) is gisteren gevallen.");
    }

    #[test]
    fn a_disorder_is_found_by_what_it_is_not_by_its_name() {
        must_find("Mevrouw Jansen heeft een taalontwikkelingsstoornis.");
        must_find("Meneer De Wit heeft het syndroom van Asperger.");
        must_find("Mevrouw Jansen heeft een erfelijke aandoening aan haar ogen.");
        must_find("Her son Tom was diagnosed with a developmental language disorder.");
        must_find("Mevrouw Jansen is sinds januari thuis met burn-outklachten.");
        must_not("Mensen met een chronische aandoening kunnen gratis meedoen.");
        must_not("De training gaat over autismespectrumstoornissen in de klas.");
    }

    #[test]
    fn the_first_person_of_quoted_history_is_someone_else() {
        let best_in = |text: &Text<'_>| {
            let mut out = Vec::new();
            HealthDetector::new().detect(text, &mut out);
            out.iter().map(|m| m.confidence).fold(0.0, f32::max)
        };
        let said = "Ik heb in de wedstrijd mijn voorste kruisband gescheurd.";
        assert!(best_in(&Text::quoted(said)) >= 0.5);
        // The writer speaking of themself in the mail being written.
        assert!(best_in(&Text::new(said)) < 0.5);
    }

    #[test]
    fn ligament_and_tendon_injuries() {
        must_find("Huisarts denkt bij Sem Hoekstra aan de enkelbanden, misschien 2e graad.");
        must_find("Mevrouw Jansen heeft haar achillespees gescheurd.");
        must_find("Mr Okafor sprained his wrist on Saturday.");
    }

    #[test]
    fn a_treatment_or_examination_is_found_by_what_it_is() {
        must_find("Hierbij een terugkoppeling over de stemtherapie van mevrouw A.M. Vos.");
        must_find("De obductie bij je vader, dhr. Gerard Kamphuis, is vanochtend gedaan.");
        must_find("Mevrouw Vos heeft na de laryngoscopie nog last van haar keel.");
        must_not("Onze praktijk biedt stemtherapie en gedragstherapie aan; kijk op de website.");
    }

    #[test]
    fn matches_accented_and_unaccented_spellings() {
        must_find("Clienten: de client is suicidaal, direct contact opnemen.");
        must_find("Mevrouw is suïcidaal.");
    }

    #[test]
    fn excerpt_is_only_the_term() {
        let mut out = Vec::new();
        HealthDetector::new().detect(&Text::new("Mevrouw Jansen heeft diabetes."), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].excerpt, "diabetes");
        assert_eq!(out[0].kind, FindingKind::Health);
    }
}
