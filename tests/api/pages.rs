//! The public pages: home, search (the search API's results as a page: facets as links,
//! snippets with highlights, paging, hostile text escaped) and a stakeholder's page (contacts
//! only for signed-in roles).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{TestServer, backends, bank, entrepreneur, mudra_loan};

const HOSTILE: &str = "<script>alert(1)</script>";

async fn page(server: &TestServer, path: &str, token: Option<&str>) -> (StatusCode, String) {
    let mut request = server.client.get(server.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn the_public_pages_search_and_show_records_without_contacts_and_escape_everything() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("admin").await;

        let (status, home) = page(&server, "/", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            home.contains("संगम") && home.contains("href=\"/register?lang=hi\""),
            "{home}"
        );
        assert!(home.contains("/account/sign-in"), "{home}");
        let (_, home_en) = page(&server, "/?lang=en", None).await;
        assert!(home_en.contains("Register yourself"), "{home_en}");

        // A bank with hostile text in every field a page shows, and 25 offerings to page through.
        let mut provider = bank(&format!("{HOSTILE} Prathama Bank"), "up-mirzapur");
        provider["name_local"] = json!(format!("{HOSTILE} प्रथमा बैंक"));
        provider["description"] = json!(format!("{HOSTILE} branch"));
        let (status, body) = server
            .post("/api/v1/stakeholders", Some(&token), &provider)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let bank_id = body["id"].as_str().unwrap().to_string();
        let mut last = String::new();
        for i in 0..25 {
            let mut offering = mudra_loan();
            offering["title"] = json!(format!("{HOSTILE} silai loan {i}"));
            offering["description"] = json!(format!("{HOSTILE} सिलाई मशीन के लिए लोन"));
            let (status, body) = server
                .post(
                    &format!("/api/v1/stakeholders/{bank_id}/offerings"),
                    Some(&token),
                    &offering,
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            last = body["id"].as_str().unwrap().to_string();
        }
        let (status, body) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &entrepreneur("Sunita Devi", "up-mirzapur", Some("+91 98390 12345")),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let sunita = body["id"].as_str().unwrap().to_string();

        // Wait until the index has the last write (a second, by the contract): the 25 offerings
        // and Sunita, whose description says सिलाई.
        let started = Instant::now();
        loop {
            let (_, found) = server.get("/api/v1/search?q=silai&limit=50", None).await;
            if found["total"].as_u64() == Some(26) {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "not indexed: {found}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let (status, results) = page(&server, "/search?q=silaai&lang=hi", None).await;
        assert_eq!(status, StatusCode::OK, "{results}");
        assert!(
            results.len() < 50_000,
            "the search page is {} bytes",
            results.len()
        );
        assert!(
            !results.contains("<script>"),
            "unescaped text on the search page: {results}"
        );
        assert!(results.contains("&lt;script&gt;"), "{results}");
        assert!(
            results.contains("<mark>"),
            "the matched word is highlighted: {results}"
        );
        assert!(
            results.contains("id=\"total\"><strong>26</strong>"),
            "{results}"
        );
        assert_eq!(
            results.matches("class=\"hit\"").count(),
            20,
            "a page holds 20"
        );
        assert!(results.contains("id=\"next\""), "{results}");
        assert!(
            results.contains("district=up-mirzapur"),
            "the district facet is a link: {results}"
        );
        assert!(
            results.contains(&format!("/stakeholders/{bank_id}")),
            "{results}"
        );
        let (status, second) = page(&server, "/search?q=silaai&lang=hi&offset=20", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(second.matches("class=\"hit\"").count(), 6, "{second}");
        assert!(second.contains("id=\"previous\"") && !second.contains("id=\"next\""));
        let (status, filtered) = page(
            &server,
            "/search?q=silai&type=offering&kind=finance&district=up-mirzapur&lang=en",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{filtered}");
        assert!(filtered.contains("id=\"clear\""), "{filtered}");
        let (status, refused) =
            page(&server, "/search?q=silai&district=nowhere&lang=en", None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(refused.contains("id=\"errors\""), "{refused}");
        let (status, none) = page(
            &server,
            &format!("/search?q={}&lang=en", "%3Cscript%3E"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !none.contains("<script>"),
            "the query is escaped where it is shown again: {none}"
        );

        // The bank's page, public: its offerings, escaped.
        let (status, bank_page) =
            page(&server, &format!("/stakeholders/{bank_id}?lang=hi"), None).await;
        assert_eq!(status, StatusCode::OK, "{bank_page}");
        assert!(!bank_page.contains("<script>"), "{bank_page}");
        assert!(
            bank_page.contains(&format!("offering-{last}")),
            "{bank_page}"
        );

        // Sunita's contacts only for a signed-in role.
        let (status, public) =
            page(&server, &format!("/stakeholders/{sunita}?lang=en"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !public.contains("98390") && public.contains("id=\"contact-hidden\""),
            "{public}"
        );
        let consultant = server.token_for("consultant", &["br-gaya"]).await;
        let (status, member) = page(
            &server,
            &format!("/stakeholders/{sunita}?lang=en"),
            Some(&consultant),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            member.contains("+91 98390 12345") || member.contains("98390"),
            "{member}"
        );

        // Pending records are not public; unknown ones are a page that says so.
        let (status, _) = page(&server, "/stakeholders/st_nobody?lang=en", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

/// The search page's facets and hits name districts, sectors and kinds in the page's language,
/// not by their codes; the links still filter by code.
#[tokio::test]
async fn the_search_page_names_facets_in_the_pages_language() {
    for backend in backends() {
        let server = TestServer::start(&backend).await;
        let token = server.token("admin").await;
        let (status, body) = server
            .post(
                "/api/v1/stakeholders",
                Some(&token),
                &bank("State Bank of India, Mirzapur", "up-mirzapur"),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let bank_id = body["id"].as_str().unwrap().to_string();
        let (status, body) = server
            .post(
                &format!("/api/v1/stakeholders/{bank_id}/offerings"),
                Some(&token),
                &mudra_loan(),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let started = Instant::now();
        while server.get("/api/v1/search?q=tailors", None).await.1["total"] != json!(1) {
            assert!(started.elapsed() < Duration::from_secs(10), "not indexed");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for (lang, district, sector, kind) in [
            ("hi", "मिर्ज़ापुर", "सिलाई", "कर्ज़ / ऋण"),
            (
                "en",
                "Mirzapur",
                "Tailoring &amp; garments",
                "Loan / credit",
            ),
        ] {
            let (status, results) =
                page(&server, &format!("/search?q=tailors&lang={lang}"), None).await;
            assert_eq!(status, StatusCode::OK, "{results}");
            let facet = |name: &str| {
                let start = results
                    .find(&format!("id=\"facet-{name}\""))
                    .unwrap_or_else(|| panic!("no {name} facet: {results}"));
                let rest = &results[start..];
                rest[..rest.find("</p>").unwrap()].to_string()
            };
            let districts = facet("district");
            assert!(
                districts.contains(&format!(">{district} (1)<")),
                "{lang}: {districts}"
            );
            assert!(districts.contains("district=up-mirzapur"), "{districts}");
            assert!(!districts.contains(">up-mirzapur"), "{lang}: a code shown");
            assert!(
                facet("sector").contains(&format!(">{sector} (1)<")),
                "{lang}"
            );
            assert!(facet("kind").contains(&format!(">{kind} (1)<")), "{lang}");
            let hit = &results[results.find("class=\"hit\"").unwrap()..];
            let hit = &hit[..hit.find("</li>").unwrap()];
            assert!(
                hit.contains(district) && hit.contains(kind),
                "{lang}: {hit}"
            );
        }
    }
}
