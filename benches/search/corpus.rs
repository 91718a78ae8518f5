//! The synthetic registry: a seeded generator of stakeholders, offerings and needs across every
//! seeded district, in English, Hindi (Devanagari) and romanized Hindi, and the query mix.
//!
//! Every record is a pure function of (seed, its number), so each engine's process regenerates
//! exactly the same data without it ever being written to disk or held whole in memory.

use std::path::Path;

/// SplitMix64: tiny, fast, and the same sequence on every machine and every version of `rand`.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    /// An independent stream for item `n` of a stream family `family`.
    pub fn derive(seed: u64, family: u64, n: u64) -> Self {
        let mut rng = Rng(seed ^ family.wrapping_mul(0xA076_1D64_78BD_642F));
        rng.0 ^= rng
            .next_u64()
            .wrapping_add(n.wrapping_mul(0xE703_7ED1_A0B4_28DB));
        rng.next_u64();
        rng
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }

    pub fn range(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low + 1) as usize) as i64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index drawn with the given weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut ticket = self.below(total as usize) as u32;
        for (i, w) in weights.iter().enumerate() {
            if ticket < *w {
                return i;
            }
            ticket -= w;
        }
        weights.len() - 1
    }
}

const FAMILY_STAKEHOLDER: u64 = 1;
const FAMILY_OFFERING: u64 = 2;
const FAMILY_NEED: u64 = 3;
const FAMILY_QUERY: u64 = 4;

// ---------------------------------------------------------------------------------------------
// Geography and sectors, read from the repository's seed files at run time.

#[derive(Debug, Clone)]
pub struct District {
    pub code: String,
    pub state: String,
    pub name: String,
    pub name_local: String,
}

#[derive(Debug, Clone)]
pub struct Sector {
    pub code: String,
    pub name: String,
    pub name_local: String,
}

pub struct Geography {
    pub districts: Vec<District>,
    /// District indexes per state code, for picking neighbours.
    pub by_state: Vec<(String, Vec<usize>)>,
    pub sectors: Vec<Sector>,
}

impl Geography {
    pub fn load(repo: &Path) -> Result<Geography, String> {
        let mut districts = Vec::new();
        let path = repo.join("seed/districts.csv");
        let mut reader = csv::Reader::from_path(&path).map_err(|e| format!("{path:?}: {e}"))?;
        for row in reader.records() {
            let row = row.map_err(|e| format!("{path:?}: {e}"))?;
            districts.push(District {
                state: row[0].to_string(),
                code: row[1].to_string(),
                name: row[2].to_string(),
                name_local: row[3].to_string(),
            });
        }
        let mut by_state: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, d) in districts.iter().enumerate() {
            match by_state.iter_mut().find(|(s, _)| *s == d.state) {
                Some((_, list)) => list.push(i),
                None => by_state.push((d.state.clone(), vec![i])),
            }
        }
        let mut sectors = Vec::new();
        let path = repo.join("seed/sectors.csv");
        let mut reader = csv::Reader::from_path(&path).map_err(|e| format!("{path:?}: {e}"))?;
        for row in reader.records() {
            let row = row.map_err(|e| format!("{path:?}: {e}"))?;
            sectors.push(Sector {
                code: row[0].to_string(),
                name: row[1].to_string(),
                name_local: row[2].to_string(),
            });
        }
        if districts.is_empty() || sectors.is_empty() {
            return Err("seed/districts.csv or seed/sectors.csv is empty".into());
        }
        Ok(Geography {
            districts,
            by_state,
            sectors,
        })
    }

    fn neighbours(&self, district: usize) -> &[usize] {
        let state = &self.districts[district].state;
        self.by_state
            .iter()
            .find(|(s, _)| s == state)
            .map(|(_, list)| list.as_slice())
            .unwrap_or_default()
    }

    pub fn sector_index(&self, code: &str) -> Option<usize> {
        self.sectors.iter().position(|s| s.code == code)
    }
}

// ---------------------------------------------------------------------------------------------
// Word lists. Each activity is tied to a seeded sector and comes in three writings: English,
// Devanagari, and the several ways people spell it in Latin letters.

struct Activity {
    sector: &'static str,
    en: &'static [&'static str],
    hi: &'static [&'static str],
    rom: &'static [&'static str],
    /// What the activity sells, for market offerings.
    goods: &'static [&'static str],
}

const ACTIVITIES: &[Activity] = &[
    Activity {
        sector: "tailoring",
        en: &["tailoring", "stitching", "sewing", "garment making"],
        hi: &["सिलाई", "सिलाई कढ़ाई", "दर्जी का काम"],
        rom: &["silai", "silaai", "silayi", "silai kadhai", "darzi kaam"],
        goods: &[
            "school uniforms",
            "readymade garments",
            "petticoats and blouses",
        ],
    },
    Activity {
        sector: "carpets",
        en: &["carpet weaving", "rug weaving", "carpet"],
        hi: &["कालीन बुनाई", "कालीन", "दरी बुनाई"],
        rom: &["kaleen bunai", "kalin", "kaleen", "dari bunai"],
        goods: &["hand-knotted carpets", "tufted rugs", "durries"],
    },
    Activity {
        sector: "handloom",
        en: &["handloom weaving", "handloom", "durrie weaving"],
        hi: &["हथकरघा", "बुनकरी"],
        rom: &["hathkargha", "hathkarga", "bunkari"],
        goods: &["handloom sarees", "gamchha and towels", "bedsheets"],
    },
    Activity {
        sector: "goat_rearing",
        en: &["goat rearing", "goat farming", "goatery"],
        hi: &["बकरी पालन", "बकरी"],
        rom: &["bakri palan", "bakri paalan", "bakari palan", "bakri"],
        goods: &["goats", "goat kids", "goat milk"],
    },
    Activity {
        sector: "dairy",
        en: &["dairy", "milk production", "cattle rearing"],
        hi: &["डेयरी", "दूध उत्पादन", "दुग्ध", "पशुपालन"],
        rom: &["doodh", "dudh", "dugdh", "dairy", "pashupalan"],
        goods: &["milk", "paneer and ghee", "khoa"],
    },
    Activity {
        sector: "poultry",
        en: &["poultry", "backyard poultry", "chicken rearing"],
        hi: &["मुर्गी पालन", "कुक्कुट पालन"],
        rom: &["murgi palan", "murgi paalan", "kukkut palan"],
        goods: &["eggs", "broiler birds", "desi chicken"],
    },
    Activity {
        sector: "fisheries",
        en: &["fish farming", "fisheries", "pond fishery"],
        hi: &["मछली पालन", "मत्स्य पालन"],
        rom: &["machhli palan", "machli palan", "matsya palan"],
        goods: &["fresh fish", "fish seed", "dried fish"],
    },
    Activity {
        sector: "beekeeping",
        en: &["beekeeping", "honey production"],
        hi: &["मधुमक्खी पालन", "शहद उत्पादन"],
        rom: &["madhumakkhi palan", "shahad", "madhu makhi palan"],
        goods: &["honey", "beeswax"],
    },
    Activity {
        sector: "mushroom",
        en: &["mushroom cultivation", "oyster mushroom"],
        hi: &["मशरूम उत्पादन", "मशरूम खेती"],
        rom: &["mashroom", "mushroom kheti", "khumb"],
        goods: &["oyster mushrooms", "dried mushrooms"],
    },
    Activity {
        sector: "vegetables",
        en: &["vegetable farming", "kitchen garden", "vegetables"],
        hi: &["सब्ज़ी उत्पादन", "सब्जी खेती"],
        rom: &["sabzi kheti", "sabji utpadan", "subzi"],
        goods: &["fresh vegetables", "tomatoes and onions", "leafy greens"],
    },
    Activity {
        sector: "organic_produce",
        en: &["organic farming", "organic produce"],
        hi: &["जैविक खेती", "जैविक उत्पाद"],
        rom: &["jaivik kheti", "jaivik utpad"],
        goods: &["organic pulses", "organic wheat", "millets"],
    },
    Activity {
        sector: "vermicompost",
        en: &["vermicompost", "bio-fertiliser"],
        hi: &["केंचुआ खाद", "जैविक खाद"],
        rom: &["kenchua khad", "vermi khad", "jaivik khad"],
        goods: &["vermicompost", "bio-inputs"],
    },
    Activity {
        sector: "food_processing",
        en: &[
            "pickle making",
            "papad making",
            "food processing",
            "tilkut making",
        ],
        hi: &["अचार बनाना", "पापड़ उद्योग", "खाद्य प्रसंस्करण"],
        rom: &["achar", "achaar", "papad", "tilkut"],
        goods: &["pickles", "papad", "snacks and namkeen", "tilkut"],
    },
    Activity {
        sector: "agarbatti",
        en: &["agarbatti making", "incense sticks"],
        hi: &["अगरबत्ती निर्माण", "अगरबत्ती"],
        rom: &["agarbatti", "agarbati", "dhoop batti"],
        goods: &["agarbatti", "dhoop cones"],
    },
    Activity {
        sector: "pottery",
        en: &["pottery", "terracotta"],
        hi: &["मिट्टी के बर्तन", "कुम्हारी"],
        rom: &["mitti ke bartan", "kumhari", "matka"],
        goods: &["clay pots", "terracotta items", "kulhad cups"],
    },
    Activity {
        sector: "brassware",
        en: &["brassware", "metal ware"],
        hi: &["पीतल के बर्तन"],
        rom: &["peetal bartan", "pital"],
        goods: &["brass utensils", "metal lamps"],
    },
    Activity {
        sector: "bamboo_wood_crafts",
        en: &["bamboo craft", "carpentry", "wood craft"],
        hi: &["बाँस का काम", "बढ़ईगिरी"],
        rom: &["baans ka kaam", "badhai", "lakdi kaam"],
        goods: &["bamboo baskets", "wooden furniture"],
    },
    Activity {
        sector: "handicrafts",
        en: &["embroidery", "handicrafts", "zari work"],
        hi: &["कढ़ाई", "हस्तशिल्प"],
        rom: &["kadhai", "kadai", "zari", "hastshilp"],
        goods: &["embroidered stoles", "handicraft gifts"],
    },
    Activity {
        sector: "leather",
        en: &["leather goods", "footwear making"],
        hi: &["चमड़े का काम", "जूता निर्माण"],
        rom: &["chamda kaam", "joota"],
        goods: &["leather bags", "chappals"],
    },
    Activity {
        sector: "beauty_wellness",
        en: &["beauty parlour", "beautician", "mehendi"],
        hi: &["ब्यूटी पार्लर", "मेहंदी"],
        rom: &["beauty parlor", "parlour", "mehndi"],
        goods: &["bridal makeup services"],
    },
    Activity {
        sector: "mobile_repair",
        en: &["mobile repair", "phone repair"],
        hi: &["मोबाइल मरम्मत", "मोबाइल रिपेयर"],
        rom: &["mobile marammat", "mobile repairing"],
        goods: &["repair services"],
    },
    Activity {
        sector: "retail",
        en: &["kirana shop", "grocery shop", "general store"],
        hi: &["किराना दुकान", "दुकान"],
        rom: &["kirana dukan", "dukaan", "kirana"],
        goods: &["groceries"],
    },
    Activity {
        sector: "eatery",
        en: &["tea stall", "snack stall", "dhaba"],
        hi: &["चाय की दुकान", "नाश्ता"],
        rom: &["chai dukan", "chai ki dukaan", "nashta"],
        goods: &["tiffin supply", "catering"],
    },
    Activity {
        sector: "electrical",
        en: &["electrician", "solar fitting", "solar pump"],
        hi: &["बिजली मिस्त्री", "सोलर"],
        rom: &["bijli mistri", "solar"],
        goods: &["solar lamps"],
    },
    Activity {
        sector: "transport",
        en: &["e-rickshaw", "goods carrier"],
        hi: &["ई-रिक्शा", "ई रिक्शा"],
        rom: &["e rickshaw", "tempo"],
        goods: &["transport services"],
    },
    Activity {
        sector: "digital_services",
        en: &[
            "CSC centre",
            "banking correspondent",
            "photocopy and printing",
        ],
        hi: &["जन सेवा केंद्र", "बैंक मित्र"],
        rom: &["jan seva kendra", "bank mitra", "csc"],
        goods: &["digital services"],
    },
    Activity {
        sector: "agri_inputs",
        en: &["seed and fertiliser shop", "agri inputs"],
        hi: &["खाद बीज", "कृषि आदान"],
        rom: &["khad beej", "krishi"],
        goods: &["seeds", "fertiliser"],
    },
];

/// One word or short phrase of the domain, in its three writings.
struct Concept {
    en: &'static [&'static str],
    hi: &'static [&'static str],
    rom: &'static [&'static str],
}

const LOAN: Concept = Concept {
    en: &["loan", "credit", "finance"],
    hi: &["ऋण", "कर्ज़", "लोन"],
    rom: &["rin", "karz", "karj", "loan"],
};
const TRAINING: Concept = Concept {
    en: &["training", "course", "skill"],
    hi: &["प्रशिक्षण", "कौशल", "ट्रेनिंग"],
    rom: &["prashikshan", "prashikchhan", "training", "kaushal"],
};
const BUYER: Concept = Concept {
    en: &["buyer", "market", "orders", "buy-back"],
    hi: &["खरीदार", "बाज़ार", "बिक्री"],
    rom: &["kharidar", "khareedar", "bazaar", "bazar", "bikri"],
};
const SCHEME: Concept = Concept {
    en: &["scheme", "subsidy", "grant"],
    hi: &["योजना", "अनुदान", "सब्सिडी"],
    rom: &["yojana", "yojna", "anudan", "subsidy"],
};
const WOMEN: Concept = Concept {
    en: &["women", "SHG", "self-help group"],
    hi: &["महिला", "स्वयं सहायता समूह", "समूह"],
    rom: &["mahila", "samooh", "samuh", "shg"],
};
const NAMED_SCHEMES: Concept = Concept {
    en: &[
        "MUDRA",
        "PMEGP",
        "NRLM",
        "Udyam",
        "PM Vishwakarma",
        "Stand-Up India",
        "PMFME",
    ],
    hi: &["मुद्रा", "पीएमईजीपी", "आजीविका मिशन", "जीविका", "उद्यम पंजीकरण"],
    rom: &["mudra", "pmegp", "jeevika", "ajeevika", "udyam"],
};

fn concept_for(kind: Kind) -> &'static Concept {
    match kind {
        Kind::Finance => &LOAN,
        Kind::Training => &TRAINING,
        Kind::Market => &BUYER,
        Kind::Scheme => &SCHEME,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Finance,
    Training,
    Market,
    Scheme,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Finance => "finance",
            Kind::Training => "training",
            Kind::Market => "market",
            Kind::Scheme => "scheme",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    En,
    Hi,
    Rom,
}

fn writing<'a>(
    rng: &mut Rng,
    lang: Lang,
    en: &'a [&'a str],
    hi: &'a [&'a str],
    rom: &'a [&'a str],
) -> &'a str {
    match lang {
        Lang::En => en[rng.below(en.len())],
        Lang::Hi => hi[rng.below(hi.len())],
        Lang::Rom => rom[rng.below(rom.len())],
    }
}

fn pick_lang(rng: &mut Rng) -> Lang {
    match rng.weighted(&[45, 30, 25]) {
        0 => Lang::En,
        1 => Lang::Hi,
        _ => Lang::Rom,
    }
}

fn rupees(amount: i64) -> String {
    // Indian grouping: 1,50,000.
    let digits = amount.to_string();
    if digits.len() <= 3 {
        return digits;
    }
    let (head, tail) = digits.split_at(digits.len() - 3);
    let mut groups: Vec<&str> = Vec::new();
    let mut rest = head;
    while rest.len() > 2 {
        let (a, b) = rest.split_at(rest.len() - 2);
        groups.push(b);
        rest = a;
    }
    groups.push(rest);
    groups.reverse();
    format!("{},{tail}", groups.join(","))
}

// ---------------------------------------------------------------------------------------------
// Records.

#[derive(Debug, Clone)]
pub struct Stakeholder {
    pub id: String,
    pub kind: &'static str,
    pub name: String,
    pub name_local: Option<String>,
    pub district: usize,
    pub districts_served: Vec<usize>,
    pub description: String,
    /// Sector of an entrepreneur's or SHG's profile.
    pub sector: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Offering {
    pub id: String,
    pub stakeholder: usize,
    pub kind: Kind,
    pub title: String,
    pub description: String,
    pub sectors: Vec<usize>,
    pub districts: Vec<usize>,
    pub valid_until: Option<String>,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Need {
    pub id: String,
    pub stakeholder: usize,
    pub kind: Kind,
    pub title: String,
    pub description: String,
    pub sector: Option<usize>,
    pub amount: Option<i64>,
}

/// One searchable record as every engine stores it.
#[derive(Debug, Clone)]
pub struct Doc {
    pub doc_type: &'static str,
    pub kind: &'static str,
    pub title: String,
    pub description: String,
    pub districts: Vec<usize>,
    pub sectors: Vec<usize>,
}

const PROVIDER_KINDS: &[&str] = &[
    "bank",
    "mfi",
    "rseti",
    "ngo",
    "buyer",
    "fpo",
    "line_department",
];

/// Which provider kinds give which linkage kind.
fn providers_of(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Finance => &["bank", "mfi"],
        Kind::Training => &["rseti", "ngo"],
        Kind::Market => &["buyer", "fpo"],
        Kind::Scheme => &["line_department", "ngo"],
    }
}

const BANKS: &[&str] = &[
    "Gramin Bank",
    "State Cooperative Bank",
    "Kisan Gramin Bank",
    "Uttar Madhya Gramin Bank",
    "Janata Small Finance Bank",
    "District Central Cooperative Bank",
];
const MFIS: &[&str] = &[
    "Gramin Shakti Microfinance",
    "Sahyog Credit",
    "Ujala Finance",
    "Asha Microcredit",
    "Pragati Mahila Finance",
];
const NGOS: &[&str] = &[
    "Sahbhagi Sanstha",
    "Gramya Vikas Manch",
    "Jan Kalyan Samiti",
    "Disha Foundation",
    "Sewa Sadan Trust",
];
const DEPARTMENTS: &[&str] = &[
    "District Industries Centre",
    "Animal Husbandry Office",
    "District Agriculture Office",
    "DRDA",
    "Krishi Vigyan Kendra",
    "District Mission Management Unit",
];
const FIRST_NAMES: &[(&str, &str)] = &[
    ("Sunita", "सुनीता"),
    ("Rekha", "रेखा"),
    ("Kamla", "कमला"),
    ("Anita", "अनीता"),
    ("Geeta", "गीता"),
    ("Poonam", "पूनम"),
    ("Shabana", "शबाना"),
    ("Mamta", "ममता"),
    ("Savitri", "सावित्री"),
    ("Ramesh", "रमेश"),
    ("Suresh", "सुरेश"),
    ("Naseem", "नसीम"),
    ("Lalita", "ललिता"),
    ("Phoolmati", "फूलमती"),
];
const SURNAMES: &[(&str, &str)] = &[
    ("Devi", "देवी"),
    ("Kumari", "कुमारी"),
    ("Yadav", "यादव"),
    ("Ansari", "अंसारी"),
    ("Prajapati", "प्रजापति"),
    ("Maurya", "मौर्य"),
    ("Paswan", "पासवान"),
    ("Khatoon", "खातून"),
    ("Manjhi", "मांझी"),
];
const SHG_NAMES: &[(&str, &str)] = &[
    ("Durga", "दुर्गा"),
    ("Laxmi", "लक्ष्मी"),
    ("Saraswati", "सरस्वती"),
    ("Jai Maa", "जय माँ"),
    ("Ujjwal", "उज्ज्वल"),
    ("Pragati", "प्रगति"),
];

/// The whole synthetic registry's shape; records are made on demand.
pub struct Corpus {
    pub seed: u64,
    pub geo: Geography,
    pub offerings: usize,
    pub stakeholders: Vec<Stakeholder>,
    pub needs: usize,
    /// Stakeholder indexes per provider kind.
    providers: Vec<(&'static str, Vec<usize>)>,
    /// Entrepreneurs and SHGs, who have needs.
    seekers: Vec<usize>,
}

impl Corpus {
    /// `offerings` offerings, a tenth as many needs, and a tenth as many stakeholders.
    pub fn new(geo: Geography, seed: u64, offerings: usize) -> Corpus {
        let stakeholder_count = (offerings / 10).max(60);
        let stakeholders: Vec<Stakeholder> = (0..stakeholder_count)
            .map(|i| make_stakeholder(&geo, seed, i))
            .collect();
        let mut providers: Vec<(&'static str, Vec<usize>)> =
            PROVIDER_KINDS.iter().map(|k| (*k, Vec::new())).collect();
        let mut seekers = Vec::new();
        for (i, s) in stakeholders.iter().enumerate() {
            match providers.iter_mut().find(|(k, _)| *k == s.kind) {
                Some((_, list)) => list.push(i),
                None => seekers.push(i),
            }
        }
        Corpus {
            seed,
            geo,
            offerings,
            needs: offerings / 10,
            stakeholders,
            providers,
            seekers,
        }
    }

    pub fn total_docs(&self) -> usize {
        self.offerings + self.needs + self.stakeholders.len()
    }

    pub fn offering(&self, n: usize) -> Offering {
        let mut rng = Rng::derive(self.seed, FAMILY_OFFERING, n as u64);
        let kind = match rng.weighted(&[35, 30, 20, 15]) {
            0 => Kind::Finance,
            1 => Kind::Training,
            2 => Kind::Market,
            _ => Kind::Scheme,
        };
        let pool = providers_of(kind)[rng.below(2)];
        let list = &self
            .providers
            .iter()
            .find(|(k, _)| *k == pool)
            .expect("provider kinds are fixed")
            .1;
        let stakeholder = if list.is_empty() {
            rng.below(self.stakeholders.len())
        } else {
            *rng.pick(list)
        };
        let provider = &self.stakeholders[stakeholder];
        // Districts: one to three of those the provider serves.
        let want = 1 + rng.weighted(&[60, 28, 12]);
        let mut districts = Vec::new();
        for _ in 0..want {
            let d = *rng.pick(&provider.districts_served);
            if !districts.contains(&d) {
                districts.push(d);
            }
        }
        // Sectors: none (any sector) to three, around one main activity.
        let sector_count = rng.weighted(&[15, 55, 20, 10]);
        let main = rng.below(ACTIVITIES.len());
        let mut activities = vec![main];
        while activities.len() < sector_count.max(1) {
            let a = rng.below(ACTIVITIES.len());
            if !activities.contains(&a) {
                activities.push(a);
            }
        }
        let sectors: Vec<usize> = if sector_count == 0 {
            Vec::new()
        } else {
            activities
                .iter()
                .filter_map(|a| self.geo.sector_index(ACTIVITIES[*a].sector))
                .collect()
        };
        let lang = pick_lang(&mut rng);
        let district = &self.geo.districts[districts[0]];
        let (min_amount, max_amount) = match kind {
            Kind::Finance => {
                let max = *rng.pick(&[50_000i64, 100_000, 150_000, 300_000, 500_000, 1_000_000]);
                (Some(max / 10), Some(max))
            }
            _ => (None, None),
        };
        let title = offering_title(&mut rng, kind, lang, &ACTIVITIES[main], sector_count == 0);
        let description = offering_description(
            &mut rng,
            kind,
            lang,
            &activities,
            district,
            &provider.name,
            max_amount,
        );
        let valid_until = if rng.chance(0.3) {
            None
        } else {
            // 2026-01 … 2028-12: about a quarter has passed by late 2026.
            Some(format!(
                "{}-{:02}-{:02}",
                rng.range(2026, 2028),
                rng.range(1, 12),
                rng.range(1, 28)
            ))
        };
        Offering {
            id: format!(
                "of_{:032x}",
                (self.seed as u128) << 64 | (2u128 << 60) | n as u128
            ),
            stakeholder,
            kind,
            title,
            description,
            sectors,
            districts,
            valid_until,
            min_amount,
            max_amount,
        }
    }

    pub fn need(&self, n: usize) -> Need {
        let mut rng = Rng::derive(self.seed, FAMILY_NEED, n as u64);
        let stakeholder = if self.seekers.is_empty() {
            rng.below(self.stakeholders.len())
        } else {
            *rng.pick(&self.seekers)
        };
        let owner = &self.stakeholders[stakeholder];
        let kind = match rng.weighted(&[45, 25, 20, 10]) {
            0 => Kind::Finance,
            1 => Kind::Training,
            2 => Kind::Market,
            _ => Kind::Scheme,
        };
        let activity = match owner.sector {
            Some(s) => ACTIVITIES
                .iter()
                .position(|a| a.sector == self.geo.sectors[s].code)
                .unwrap_or(0),
            None => rng.below(ACTIVITIES.len()),
        };
        let a = &ACTIVITIES[activity];
        let lang = pick_lang(&mut rng);
        let act = writing(&mut rng, lang, a.en, a.hi, a.rom);
        let amount = (kind == Kind::Finance).then(|| rng.range(2, 60) * 5_000);
        let title = match (kind, lang) {
            (Kind::Finance, Lang::En) => {
                format!("Loan of ₹{} for {act}", rupees(amount.unwrap_or(0)))
            }
            (Kind::Finance, Lang::Hi) => format!("{act} के लिए ऋण चाहिए"),
            (Kind::Finance, Lang::Rom) => format!("{act} ke liye {} chahiye", rng.pick(LOAN.rom)),
            (Kind::Training, Lang::En) => format!("Need training in {act}"),
            (Kind::Training, Lang::Hi) => format!("{act} का प्रशिक्षण चाहिए"),
            (Kind::Training, Lang::Rom) => format!("{act} ki training chahiye"),
            (Kind::Market, Lang::En) => format!("Buyer needed for {}", rng.pick(a.goods)),
            (Kind::Market, Lang::Hi) => format!("{act} उत्पाद के लिए खरीदार चाहिए"),
            (Kind::Market, Lang::Rom) => format!("{act} ke maal ke liye kharidar chahiye"),
            (Kind::Scheme, Lang::En) => {
                format!("Help to apply for {} for {act}", rng.pick(NAMED_SCHEMES.en))
            }
            (Kind::Scheme, Lang::Hi) => {
                format!("{act} के लिए {} योजना का लाभ", rng.pick(NAMED_SCHEMES.hi))
            }
            (Kind::Scheme, Lang::Rom) => format!(
                "{} yojana ka labh {act} ke liye",
                rng.pick(NAMED_SCHEMES.rom)
            ),
        };
        let district = &self.geo.districts[owner.district];
        let description = match lang {
            Lang::En => format!(
                "{} in {} wants to grow; has {} years of experience in {act}.",
                owner.name,
                district.name,
                rng.range(1, 15)
            ),
            Lang::Hi => format!(
                "{} जिले में {act} का काम, {} साल का अनुभव। समूह की सदस्य।",
                district.name_local,
                rng.range(1, 15)
            ),
            Lang::Rom => format!(
                "{} mein {act} ka kaam karte hain, {} saal se. samooh se jude hain.",
                district.name,
                rng.range(1, 15)
            ),
        };
        Need {
            id: format!(
                "nd_{:032x}",
                (self.seed as u128) << 64 | (3u128 << 60) | n as u128
            ),
            stakeholder,
            kind,
            title,
            description,
            sector: self.geo.sector_index(a.sector),
            amount,
        }
    }

    /// Every record as a search document: stakeholders, then offerings, then needs.
    pub fn doc(&self, n: usize) -> Doc {
        let s_count = self.stakeholders.len();
        if n < s_count {
            let s = &self.stakeholders[n];
            let mut districts = vec![s.district];
            districts.extend(s.districts_served.iter().filter(|d| **d != s.district));
            let title = match &s.name_local {
                Some(local) => format!("{} {local}", s.name),
                None => s.name.clone(),
            };
            Doc {
                doc_type: "stakeholder",
                kind: s.kind,
                title,
                description: s.description.clone(),
                districts,
                sectors: s.sector.into_iter().collect(),
            }
        } else if n < s_count + self.offerings {
            let o = self.offering(n - s_count);
            Doc {
                doc_type: "offering",
                kind: o.kind.as_str(),
                title: o.title,
                description: format!(
                    "{} — {}",
                    o.description, self.stakeholders[o.stakeholder].name
                ),
                districts: o.districts,
                sectors: o.sectors,
            }
        } else {
            let need = self.need(n - s_count - self.offerings);
            let owner = &self.stakeholders[need.stakeholder];
            Doc {
                doc_type: "need",
                kind: need.kind.as_str(),
                title: need.title,
                description: format!("{} — {}", need.description, owner.name),
                districts: vec![owner.district],
                sectors: need.sector.into_iter().collect(),
            }
        }
    }
}

fn make_stakeholder(geo: &Geography, seed: u64, n: usize) -> Stakeholder {
    let mut rng = Rng::derive(seed, FAMILY_STAKEHOLDER, n as u64);
    let district = rng.below(geo.districts.len());
    let home = &geo.districts[district];
    let kind: &'static str = match rng.weighted(&[12, 10, 8, 6, 10, 6, 8, 25, 15]) {
        0 => "bank",
        1 => "mfi",
        2 => "rseti",
        3 => "ngo",
        4 => "buyer",
        5 => "fpo",
        6 => "line_department",
        7 => "micro_entrepreneur",
        _ => "shg",
    };
    let mut districts_served = vec![district];
    let reach = match kind {
        "micro_entrepreneur" | "shg" => 0,
        "bank" | "rseti" | "line_department" => rng.below(2),
        _ => rng.below(4),
    };
    let neighbours = geo.neighbours(district);
    for _ in 0..reach {
        let d = *rng.pick(neighbours);
        if !districts_served.contains(&d) {
            districts_served.push(d);
        }
    }
    let activity = &ACTIVITIES[rng.below(ACTIVITIES.len())];
    let act = rng.pick(activity.en);
    let (name, name_local, description, sector) = match kind {
        "bank" => (
            format!("{}, {} branch", rng.pick(BANKS), home.name),
            Some(format!("{} शाखा", home.name_local)),
            format!(
                "Branch serving {}: MUDRA, PMEGP and SHG-bank linkage loans, Kisan Credit Card.",
                home.name
            ),
            None,
        ),
        "mfi" => (
            format!("{} ({})", rng.pick(MFIS), home.name),
            None,
            "Collateral-free joint liability group loans for women; weekly repayment at the centre meeting.".to_string(),
            None,
        ),
        "rseti" => (
            format!("{} RSETI", home.name),
            Some(format!("{} ग्रामीण स्वरोजगार प्रशिक्षण संस्थान", home.name_local)),
            "Free residential self-employment training for rural youth aged 18 to 45, with credit linkage.".to_string(),
            None,
        ),
        "ngo" => (
            format!("{} {}", rng.pick(NGOS), home.name),
            None,
            format!("Facilitates coalitions of entrepreneurs in {}; mentoring and business plans.", home.name),
            None,
        ),
        "buyer" => (
            format!("{} Traders, {}", capitalise(act), home.name),
            None,
            format!("Buys {} from producer groups; pays within 15 days.", rng.pick(activity.goods)),
            None,
        ),
        "fpo" => (
            format!("{} Farmer Producer Company", home.name),
            Some(format!("{} किसान उत्पादक कंपनी", home.name_local)),
            "Aggregation, input supply and buy-back for member farmers.".to_string(),
            None,
        ),
        "line_department" => (
            format!("{}, {}", rng.pick(DEPARTMENTS), home.name),
            None,
            "Government office: schemes, subsidies and registrations at district level.".to_string(),
            None,
        ),
        "shg" => {
            let (en, hi) = rng.pick(SHG_NAMES);
            (
                format!("{en} Mahila SHG, {}", home.name),
                Some(format!("{hi} महिला स्वयं सहायता समूह")),
                format!("Women's self-help group of {} members doing {act}.", rng.range(10, 20)),
                geo.sector_index(activity.sector),
            )
        }
        _ => {
            let (first, first_hi) = rng.pick(FIRST_NAMES);
            let (last, last_hi) = rng.pick(SURNAMES);
            (
                format!("{first} {last}"),
                rng.chance(0.5).then(|| format!("{first_hi} {last_hi}")),
                format!("Runs a small {act} business in {}.", home.name),
                geo.sector_index(activity.sector),
            )
        }
    };
    Stakeholder {
        id: format!(
            "st_{:032x}",
            (seed as u128) << 64 | (1u128 << 60) | n as u128
        ),
        kind,
        name,
        name_local,
        district,
        districts_served,
        description,
        sector,
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn offering_title(
    rng: &mut Rng,
    kind: Kind,
    lang: Lang,
    activity: &Activity,
    generic: bool,
) -> String {
    let act = if generic {
        match lang {
            Lang::En => "any small business",
            Lang::Hi => "किसी भी छोटे व्यवसाय",
            Lang::Rom => "koi bhi chhota dhandha",
        }
    } else {
        writing(rng, lang, activity.en, activity.hi, activity.rom)
    };
    let word = {
        let c = concept_for(kind);
        writing(rng, lang, c.en, c.hi, c.rom)
    };
    match (kind, lang) {
        (Kind::Finance, Lang::En) => match rng.below(4) {
            0 => format!(
                "MUDRA {} {word} for {act}",
                rng.pick(&["Shishu", "Kishore", "Tarun"])
            ),
            1 => format!("Working capital {word} for {act} units"),
            2 => format!("Group {word} for women in {act}"),
            _ => format!(
                "{} {word} for {act}",
                rng.pick(&[
                    "PMEGP",
                    "Individual enterprise",
                    "SHG-bank linkage",
                    "Kisan Credit Card"
                ])
            ),
        },
        (Kind::Finance, Lang::Hi) => match rng.below(3) {
            0 => format!("{act} के लिए मुद्रा {word}"),
            1 => format!("महिलाओं के लिए {act} {word}"),
            _ => format!("{act} हेतु बिना गारंटी {word}"),
        },
        (Kind::Finance, Lang::Rom) => match rng.below(3) {
            0 => format!("{act} ke liye mudra {word}"),
            1 => format!("mahila samooh {word} {act}"),
            _ => format!("{act} {word} bina guarantee"),
        },
        (Kind::Training, Lang::En) => match rng.below(3) {
            0 => format!("{}-day {act} {word}", rng.pick(&[6, 10, 13, 30, 45])),
            1 => format!("Free residential {word} in {act}"),
            _ => format!("{} {word} for women", capitalise(act)),
        },
        (Kind::Training, Lang::Hi) => match rng.below(2) {
            0 => format!("{act} {word}"),
            _ => format!(
                "{} दिवसीय निःशुल्क {act} {word}",
                rng.pick(&[6, 10, 13, 30, 45])
            ),
        },
        (Kind::Training, Lang::Rom) => match rng.below(2) {
            0 => format!("{act} {word} muft"),
            _ => format!("{} din ka {act} {word}", rng.pick(&[6, 10, 13, 30])),
        },
        (Kind::Market, Lang::En) => match rng.below(3) {
            0 => format!("{} for {}", capitalise(word), rng.pick(activity.goods)),
            1 => format!("Buy-back of {act} produce"),
            _ => format!("Bulk orders for {}", rng.pick(activity.goods)),
        },
        (Kind::Market, Lang::Hi) => format!("{act} उत्पादों के लिए {word}"),
        (Kind::Market, Lang::Rom) => format!("{act} ka maal, {word} linkage"),
        (Kind::Scheme, Lang::En) => format!("{} {word} for {act}", rng.pick(NAMED_SCHEMES.en)),
        (Kind::Scheme, Lang::Hi) => format!("{act} के लिए {} {word}", rng.pick(NAMED_SCHEMES.hi)),
        (Kind::Scheme, Lang::Rom) => {
            format!("{} {word} {act} ke liye", rng.pick(NAMED_SCHEMES.rom))
        }
    }
}

fn offering_description(
    rng: &mut Rng,
    kind: Kind,
    lang: Lang,
    activities: &[usize],
    district: &District,
    provider: &str,
    max_amount: Option<i64>,
) -> String {
    let acts: Vec<&str> = activities
        .iter()
        .map(|a| {
            let a = &ACTIVITIES[*a];
            writing(rng, lang, a.en, a.hi, a.rom)
        })
        .collect();
    let acts = acts.join(", ");
    let mut parts = Vec::new();
    match (kind, lang) {
        (Kind::Finance, Lang::En) => {
            parts.push(format!(
                "Collateral-free loans up to ₹{} for {acts} entrepreneurs in {}.",
                rupees(max_amount.unwrap_or(50_000)),
                district.name
            ));
            parts.push(format!(
                "Interest {}% a year, tenure {} months.",
                rng.range(8, 24),
                rng.range(12, 60)
            ));
        }
        (Kind::Finance, Lang::Hi) => {
            parts.push(format!(
                "{} जिले में {acts} के लिए ₹{} तक बिना गारंटी ऋण।",
                district.name_local,
                rupees(max_amount.unwrap_or(50_000))
            ));
            parts.push(format!("ब्याज {} प्रतिशत सालाना।", rng.range(8, 24)));
        }
        (Kind::Finance, Lang::Rom) => {
            parts.push(format!(
                "{} jile mein {acts} ke liye ₹{} tak ka loan, bina guarantee.",
                district.name,
                rupees(max_amount.unwrap_or(50_000))
            ));
            parts.push(format!("byaj {} pratishat saal ka.", rng.range(8, 24)));
        }
        (Kind::Training, Lang::En) => {
            parts.push(format!(
                "Hands-on training in {acts} at {}; food and stay provided, certificate at the end.",
                district.name
            ));
            parts.push("Ages 18 to 45; follow-up support for a bank loan after the course.".into());
        }
        (Kind::Training, Lang::Hi) => {
            parts.push(format!(
                "{} में {acts} का व्यावहारिक प्रशिक्षण, रहना और खाना मुफ्त।",
                district.name_local
            ));
            parts.push("18 से 45 वर्ष के युवा आवेदन करें। प्रशिक्षण के बाद बैंक ऋण में मदद।".into());
        }
        (Kind::Training, Lang::Rom) => {
            parts.push(format!(
                "{} mein {acts} ki training, rehna khana muft.",
                district.name
            ));
            parts.push("18 se 45 saal ke log aayein. baad mein loan dilane mein madad.".into());
        }
        (Kind::Market, Lang::En) => {
            parts.push(format!(
                "Regular orders for {acts} products from groups in {}; payment within 15 days.",
                district.name
            ));
            parts.push("Quality check at collection; transport arranged for large lots.".into());
        }
        (Kind::Market, Lang::Hi) => {
            parts.push(format!(
                "{} के समूहों से {acts} उत्पादों की नियमित खरीद, 15 दिन में भुगतान।",
                district.name_local
            ));
        }
        (Kind::Market, Lang::Rom) => {
            parts.push(format!(
                "{} ke samoohon se {acts} ka maal kharidenge, 15 din mein bhugtan.",
                district.name
            ));
        }
        (Kind::Scheme, Lang::En) => {
            parts.push(format!(
                "Government scheme support for {acts}: subsidy of {}% on project cost, help with Udyam registration in {}.",
                rng.pick(&[15, 25, 35]),
                district.name
            ));
        }
        (Kind::Scheme, Lang::Hi) => {
            parts.push(format!(
                "{acts} के लिए सरकारी योजना: परियोजना लागत पर {} प्रतिशत अनुदान, {} में पंजीकरण सहायता।",
                rng.pick(&[15, 25, 35]),
                district.name_local
            ));
        }
        (Kind::Scheme, Lang::Rom) => {
            parts.push(format!(
                "{acts} ke liye sarkari yojana, {} pratishat anudan, {} mein registration.",
                rng.pick(&[15, 25, 35]),
                district.name
            ));
        }
    }
    if rng.chance(0.4) {
        parts.push(match lang {
            Lang::En => "Women and SHG members get priority.".to_string(),
            Lang::Hi => "महिलाओं और स्वयं सहायता समूह की सदस्यों को प्राथमिकता।".to_string(),
            Lang::Rom => "mahila aur samooh ki sadasya ko pehle mauka.".to_string(),
        });
    }
    if rng.chance(0.3) {
        parts.push(format!("Contact {provider}."));
    }
    parts.join(" ")
}

// ---------------------------------------------------------------------------------------------
// The query mix.

#[derive(Debug, Clone)]
pub struct Query {
    pub text: String,
    /// A district code to filter by.
    pub district: Option<String>,
}

/// Words dropped from peers' queries (Sangam drops its own list).
pub const FILLER: &[&str] = &[
    "ke",
    "ki",
    "ka",
    "liye",
    "se",
    "mein",
    "for",
    "in",
    "of",
    "के",
    "लिए",
    "की",
];

fn any_writing(
    rng: &mut Rng,
    en: &'static [&'static str],
    hi: &'static [&'static str],
    rom: &'static [&'static str],
) -> &'static str {
    let lang = match rng.weighted(&[35, 30, 35]) {
        0 => Lang::En,
        1 => Lang::Hi,
        _ => Lang::Rom,
    };
    match lang {
        Lang::En => en[rng.below(en.len())],
        Lang::Hi => hi[rng.below(hi.len())],
        Lang::Rom => rom[rng.below(rom.len())],
    }
}

/// A typo: one Latin letter dropped, doubled or swapped with its neighbour, in a word of five
/// letters or more.
fn misspell(rng: &mut Rng, word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 5 || !chars.iter().all(|c| c.is_ascii_alphabetic()) {
        return word.to_string();
    }
    let at = 1 + rng.below(chars.len() - 2);
    let mut out = chars.clone();
    match rng.below(3) {
        0 => {
            out.remove(at);
        }
        1 => out.insert(at, chars[at]),
        _ => out.swap(at, at + 1),
    }
    out.into_iter().collect()
}

pub fn queries(geo: &Geography, seed: u64, count: usize) -> Vec<Query> {
    (0..count)
        .map(|n| {
            let mut rng = Rng::derive(seed, FAMILY_QUERY, n as u64);
            let activity = &ACTIVITIES[rng.below(ACTIVITIES.len())];
            let act = any_writing(&mut rng, activity.en, activity.hi, activity.rom);
            let concept = match rng.below(6) {
                0 | 1 => &LOAN,
                2 => &TRAINING,
                3 => &BUYER,
                4 => &SCHEME,
                _ => &WOMEN,
            };
            let first = |text: &str| text.split_whitespace().next().unwrap_or(text).to_string();
            let need = first(any_writing(&mut rng, concept.en, concept.hi, concept.rom));
            let d = &geo.districts[rng.below(geo.districts.len())];
            let place = first(&match rng.below(3) {
                0 => d.name.to_lowercase(),
                1 => d.name_local.clone(),
                _ => d.name.clone(),
            });
            let text = match rng.weighted(&[25, 30, 20, 10, 10, 5]) {
                0 => act.to_string(),
                1 => format!("{} {need}", first(act)),
                2 => format!("{} {need} {place}", first(act)),
                3 => {
                    let typo = misspell(&mut rng, &first(act));
                    format!("{typo} {need}")
                }
                4 => format!(
                    "{} {need}",
                    any_writing(
                        &mut rng,
                        NAMED_SCHEMES.en,
                        NAMED_SCHEMES.hi,
                        NAMED_SCHEMES.rom
                    )
                ),
                _ => format!("{} ke liye {need}", first(act)),
            };
            let district = rng.chance(0.4).then(|| d.code.clone());
            Query { text, district }
        })
        .collect()
}
