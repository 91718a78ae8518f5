//! A small, fixed registry for search tests: real store (SQLite in a temp directory), real seed
//! geography and sectors, real index on disk, brought up to date through the change log.

use std::collections::BTreeMap;

use tempfile::TempDir;

use super::SearchIndex;
use super::analysis::Vocabulary;
use super::indexer;
use super::query::{SearchRequest, SearchResults};
use crate::domain::need::NeedData;
use crate::domain::offering::{LinkageKind, OfferingData};
use crate::domain::record::{Provenance, Status};
use crate::domain::stakeholder::{Contact, StakeholderData, StakeholderKind};
use crate::store::Store;

pub struct Fixture {
    pub dir: TempDir,
    pub store: Store,
    pub index: SearchIndex,
    /// Record ids by the short names the tests use.
    pub ids: BTreeMap<&'static str, String>,
}

pub fn stakeholder(
    kind: StakeholderKind,
    name: &str,
    local: Option<&str>,
    district: &str,
) -> StakeholderData {
    StakeholderData {
        kind,
        name: name.to_string(),
        name_local: local.map(str::to_string),
        district: district.to_string(),
        districts_served: vec![district.to_string()],
        description: None,
        contact: Contact::default(),
        profile: None,
        linkage_limit: None,
    }
}

pub fn offering(
    kind: LinkageKind,
    title: &str,
    description: &str,
    sectors: &[&str],
    district: &str,
) -> OfferingData {
    OfferingData {
        kind,
        title: title.to_string(),
        description: Some(description.to_string()).filter(|d| !d.is_empty()),
        sectors: sectors.iter().map(|s| s.to_string()).collect(),
        districts: vec![district.to_string()],
        eligibility: Default::default(),
        terms: Default::default(),
        valid_until: Some("2099-03-31".to_string()),
    }
}

pub fn need(kind: LinkageKind, title: &str, sector: Option<&str>) -> NeedData {
    NeedData {
        kind,
        title: title.to_string(),
        description: None,
        sector: sector.map(str::to_string),
        amount_inr: None,
        attendees: None,
    }
}

impl Fixture {
    /// An empty registry (geography and sectors only) with its index.
    pub async fn empty() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&Store::sqlite_url(dir.path()))
            .await
            .expect("store");
        crate::seed::load_reference(&store).await.expect("seed");
        let index = SearchIndex::open_or_rebuild(&dir.path().join("index"), &store, vocabulary())
            .await
            .expect("index");
        Fixture {
            dir,
            store,
            index,
            ids: BTreeMap::new(),
        }
    }

    /// The fixed corpus the relevance tests search.
    pub async fn corpus() -> Fixture {
        let mut f = Fixture::empty().await;
        use LinkageKind::*;
        use StakeholderKind as K;
        let rseti = f
            .provider(K::Rseti, "RSETI Bhadohi", Some("आरसेटी भदोही"), "up-bhadohi")
            .await;
        f.add_offering(
            "tailoring_en",
            &rseti,
            offering(
                Training,
                "Women's tailoring course (30 days)",
                "Free residential course in cutting and stitching for women aged 18 to 45.",
                &[],
                "up-bhadohi",
            ),
        )
        .await;
        f.add_offering(
            "silai_hi",
            &rseti,
            offering(
                Training,
                "सिलाई प्रशिक्षण (30 दिन)",
                "महिलाओं के लिए निःशुल्क आवासीय पाठ्यक्रम",
                &[],
                "up-bhadohi",
            ),
        )
        .await;
        f.add_offering(
            "honey_title",
            &rseti,
            offering(
                Training,
                "Honey processing training",
                "Five days on extraction, filtering and bottling.",
                &[],
                "up-bhadohi",
            ),
        )
        .await;
        f.add_offering(
            "honey_body",
            &rseti,
            offering(
                Training,
                "Food processing course",
                "Pickles, papad, jam and honey for local markets.",
                &[],
                "up-bhadohi",
            ),
        )
        .await;
        f.add_offering(
            "mushroom",
            &rseti,
            offering(
                Training,
                "Mushroom cultivation",
                "Oyster mushroom growing in five days.",
                &[],
                "up-bhadohi",
            ),
        )
        .await;

        let mfi = f
            .provider(
                K::Mfi,
                "Purvi Gramin Credit",
                Some("पूर्वी ग्रामीण क्रेडिट"),
                "up-bhadohi",
            )
            .await;
        f.add_offering(
            "pashu_loan",
            &mfi,
            offering(
                Finance,
                "पशुपालन समूह ऋण (बकरी, गाय, मुर्गी)",
                "",
                &[],
                "up-bhadohi",
            ),
        )
        .await;

        let buyer = f
            .provider(K::Buyer, "Ganga Weaves Exports", None, "up-bhadohi")
            .await;
        f.add_offering(
            "carpet",
            &buyer,
            offering(
                Market,
                "Hand-knotted carpet weaving orders",
                "Orders for weaver groups, paid on delivery.",
                &["carpets"],
                "up-bhadohi",
            ),
        )
        .await;
        f.add_offering(
            "mushrom_typo",
            &buyer,
            offering(
                Market,
                "Mushrom packing orders",
                "Buying packed produce.",
                &[],
                "up-bhadohi",
            ),
        )
        .await;

        let bank = f
            .provider(K::Bank, "Bihar Gramin Bank, Manpur", None, "br-gaya")
            .await;
        f.add_offering(
            "mudra",
            &bank,
            offering(
                Finance,
                "MUDRA Shishu loan",
                "Collateral-free loan for tiny businesses: tools, machines, first stock.",
                &[],
                "br-gaya",
            ),
        )
        .await;
        f.add_offering(
            "dairy_loan",
            &bank,
            offering(
                Finance,
                "Dairy loan for two milch animals",
                "Buy cows or buffaloes; repay from milk sales.",
                &["dairy"],
                "br-gaya",
            ),
        )
        .await;
        let mut old = offering(
            Market,
            "Papad buyer for the 2020 season",
            "Seasonal papad orders.",
            &["food_processing"],
            "br-gaya",
        );
        old.valid_until = Some("2020-01-31".to_string());
        f.add_offering("expired_papad", &bank, old).await;
        f.add_offering(
            "live_papad",
            &bank,
            offering(
                Market,
                "Papad buyer",
                "Regular papad orders all year.",
                &["food_processing"],
                "br-gaya",
            ),
        )
        .await;

        let office = f
            .provider(
                K::LineDepartment,
                "District Animal Husbandry Office, Gaya",
                None,
                "br-gaya",
            )
            .await;
        f.add_offering(
            "goat_scheme",
            &office,
            offering(
                Scheme,
                "Integrated goat development scheme",
                "Subsidy for a unit of goats.",
                &[],
                "br-gaya",
            ),
        )
        .await;
        f.add_offering(
            "doodh",
            &office,
            offering(Scheme, "दूध संग्रह केंद्र अनुदान", "", &[], "br-gaya"),
        )
        .await;

        let rinku = f
            .provider(
                K::MicroEntrepreneur,
                "Rinku Devi",
                Some("रिंकू देवी"),
                "br-gaya",
            )
            .await;
        f.add_need(
            "silai_need",
            &rinku,
            need(Finance, "silai machine ke liye paisa", None),
        )
        .await;
        f.add_need(
            "bakri_need",
            &rinku,
            need(Finance, "बकरी पालन के लिए ऋण", None),
        )
        .await;

        let pending = f
            .store
            .insert_stakeholder(
                &stakeholder(K::Ngo, "Zari Kala Samiti", None, "up-bhadohi"),
                &[offering(
                    Training,
                    "Zari embroidery training",
                    "",
                    &[],
                    "up-bhadohi",
                )],
                &[],
                &Provenance::registration(),
                crate::store::registry::OnDuplicate::Flag,
            )
            .await
            .expect("pending registration");
        f.ids
            .insert("pending_zari", pending.offerings[0].id.clone());
        f.ids
            .insert("pending_samiti", pending.stakeholder.id.clone());

        let archived = f
            .add_offering(
                "archived_chikan",
                &buyer,
                offering(Market, "Chikan embroidery orders", "", &[], "up-bhadohi"),
            )
            .await;
        f.store
            .set_offering_status(&archived, Status::Archived, "test")
            .await
            .expect("archive");

        f.sync().await;
        f
    }

    pub async fn provider(
        &mut self,
        kind: StakeholderKind,
        name: &str,
        local: Option<&str>,
        district: &str,
    ) -> String {
        let registered = self
            .store
            .insert_stakeholder(
                &stakeholder(kind, name, local, district),
                &[],
                &[],
                &Provenance::api("test"),
                crate::store::registry::OnDuplicate::Flag,
            )
            .await
            .expect("stakeholder");
        registered.stakeholder.id
    }

    pub async fn add_offering(
        &mut self,
        name: &'static str,
        provider: &str,
        data: OfferingData,
    ) -> String {
        let stored = self
            .store
            .insert_offering(provider, &data, &Provenance::api("test"))
            .await
            .expect("offering");
        self.ids.insert(name, stored.id.clone());
        stored.id
    }

    pub async fn add_need(&mut self, name: &'static str, owner: &str, data: NeedData) -> String {
        let stored = self
            .store
            .insert_need(owner, &data, &Provenance::api("test"))
            .await
            .expect("need");
        self.ids.insert(name, stored.id.clone());
        stored.id
    }

    /// Applies every logged change to the index.
    pub async fn sync(&self) {
        indexer::catch_up(&self.index, &self.store)
            .await
            .expect("catch up");
    }

    pub fn id(&self, name: &str) -> &str {
        self.ids
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("no record named {name}"))
    }

    pub fn search(&self, request: &SearchRequest) -> SearchResults {
        self.index.search(request).expect("search")
    }

    /// The short names of the hits for `text`, best first (unnamed records as their ids).
    pub fn names(&self, text: &str) -> Vec<String> {
        self.names_for(&SearchRequest::new(text))
    }

    pub fn names_for(&self, request: &SearchRequest) -> Vec<String> {
        self.search(request)
            .hits
            .iter()
            .map(|hit| self.name_of(&hit.id))
            .collect()
    }

    fn name_of(&self, id: &str) -> String {
        self.ids
            .iter()
            .find(|(_, known)| known.as_str() == id)
            .map(|(name, _)| name.to_string())
            .unwrap_or_else(|| id.to_string())
    }

    /// Whether `name` is among the hits for `text`.
    pub fn finds(&self, text: &str, name: &str) -> bool {
        self.names(text).iter().any(|n| n == name)
    }

    /// Position of `name` among the hits for `text`.
    pub fn rank(&self, text: &str, name: &str) -> Option<usize> {
        self.names(text).iter().position(|n| n == name)
    }
}

pub fn vocabulary() -> Vocabulary {
    Vocabulary::builtin().expect("vocabulary")
}
