//! A small vocabulary shaped like the shipped one, so these tests do not depend on the content
//! of `config/vocabulary.toml`.

use stillpoint_model::vocabulary::Vocabulary;

pub const VOCABULARY: &str = r#"
[practice]
label = "Craniosacral therapy"
terms = ["craniosacral", "cranial sacral"]

[[approaches]]
id = "biodynamic"
label = "Biodynamic"
[[approaches]]
id = "biomechanical"
label = "Biomechanical"
[[approaches]]
id = "integrative"
label = "Integrative"

[[bodies]]
id = "upledger"
name = "Upledger Institute International"
kind = "certification-body"
country = "US"
vouched_by = ["iahp"]
[[bodies.credentials]]
id = "CST-T"
label = "CranioSacral Therapy Techniques Certified"
[[bodies.credentials]]
id = "CST-D"
label = "CranioSacral Therapy Diplomate"

[[bodies]]
id = "iahp"
name = "International Association of Healthcare Practitioners"
kind = "association"

[[bodies]]
id = "bcta-na"
name = "Biodynamic Craniosacral Therapy Association of North America"
kind = "association"
[[bodies.credentials]]
id = "RCST"
label = "Registered Craniosacral Therapist"

[[bodies]]
id = "csta-uk"
name = "Craniosacral Therapy Association"
kind = "association"
country = "GB"
[[bodies.credentials]]
id = "RCST"
label = "Registered Craniosacral Therapist"

[[bodies]]
id = "cnhc"
name = "Complementary and Natural Healthcare Council"
kind = "registry"
country = "GB"
[[bodies.credentials]]
id = "registered"
label = "CNHC registered"

[[bodies]]
id = "ncbtmb"
name = "National Certification Board for Therapeutic Massage and Bodywork"
kind = "board"
country = "US"
[[bodies.credentials]]
id = "BCTMB"
label = "Board Certified in Therapeutic Massage and Bodywork"

[[professions]]
id = "massage-therapist"
label = "Massage therapist"
synonyms = ["LMT", "massage practitioner"]
[[professions]]
id = "physical-therapist"
label = "Physical therapist"
synonyms = ["physiotherapist", "physio"]
[[professions]]
id = "occupational-therapist"
label = "Occupational therapist"
[[professions]]
id = "osteopath"
label = "Osteopath"
[[professions]]
id = "chiropractor"
label = "Chiropractor"
[[professions]]
id = "nurse"
label = "Nurse"
[[professions]]
id = "midwife"
label = "Midwife"

[[specialties]]
id = "chronic-pain"
label = "Chronic pain"
group = "condition"
[[specialties]]
id = "headaches"
label = "Headaches and migraines"
group = "condition"
synonyms = ["migraine", "Migraines", "headache"]
[[specialties]]
id = "neck-back-pain"
label = "Neck and back pain"
group = "condition"
synonyms = ["neck pain", "back pain"]
[[specialties]]
id = "anxiety-stress"
label = "Anxiety and stress"
group = "condition"
synonyms = ["anxiety", "stress"]
[[specialties]]
id = "tmj"
label = "TMJ and jaw disorders"
group = "condition"
synonyms = ["jaw pain", "TMD"]
[[specialties]]
id = "fibromyalgia"
label = "Fibromyalgia"
group = "condition"
[[specialties]]
id = "tinnitus"
label = "Tinnitus"
group = "condition"
[[specialties]]
id = "infants"
label = "Infants"
group = "population"
synonyms = ["babies", "newborns"]
[[specialties]]
id = "children"
label = "Children"
group = "population"
[[specialties]]
id = "pregnancy"
label = "Pregnancy"
group = "population"
[[specialties]]
id = "athletes"
label = "Athletes and performers"
group = "population"

[[techniques]]
id = "still-point-induction"
label = "Still point induction"
[[techniques]]
id = "v-spread"
label = "V-spread"
[[techniques]]
id = "somatoemotional-release"
label = "SomatoEmotional Release"
synonyms = ["SER"]
[[techniques]]
id = "diaphragm-releases"
label = "Diaphragm releases"
"#;

pub fn vocabulary() -> Vocabulary {
    Vocabulary::from_toml_str(VOCABULARY).unwrap()
}
