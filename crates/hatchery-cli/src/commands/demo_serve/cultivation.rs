//! The demo's cultivation services beyond requests, played through the API:
//! a month ago Shenzhen vets two providers (one later found on the
//! dishonest-entity list, so enterprises never see its item), publishes its
//! service menu and drafts a policy; today, once the first enterprise is
//! confirmed into the pool, it gets a government and a market steward (双管家),
//! a contact on record, a service package for the year, and the policy,
//! published, matches it: pushed to it, and applied for.

use anyhow::Context;
use serde_json::{Value, json};

use super::Api;

/// Pool members registered in Shenzhen and in the pool: the eligibility of
/// the demo's policy, in the criteria language.
const ELIGIBILITY: &str = r#"key = "sz-demo-pool-award"
version = "1"
title = "培育库企业研发投入奖补"
title_en = "R&D award for pool members"

[[tiers]]
key = "eligible"
name = "符合"
name_en = "Eligible"
when = [
  { in_pool = true },
  { region_prefix = ["4403"] },
]
"#;

/// What the month-ago part made, for today's.
pub(super) struct Catalogue {
    /// The published menu's items the enterprise may use.
    items: Vec<i64>,
    /// The drafted policy.
    policy: i64,
}

/// A month ago: providers vetted, the menu published, a policy drafted.
pub(super) async fn month_ago(api: &Api) -> anyhow::Result<Catalogue> {
    let city = api.token("demo.shenzhen").await?;
    // The server runs 30 days behind: its today.
    let day = today()?.checked_sub(jiff::Span::new().days(30))?;
    let clean = api
        .post(
            &city,
            "/api/providers",
            json!({"name": "深圳市中小企业服务中心", "kind": "public_institution", "contact": "0755-8888 1234"}),
        )
        .await
        .context("registering a provider")?;
    let doubtful = api
        .post(
            &city,
            "/api/providers",
            json!({"name": "某咨询服务有限公司", "kind": "firm", "contact": "0755-8888 4321"}),
        )
        .await
        .context("registering a second provider")?;
    let menu = api
        .post(
            &city,
            "/api/menus",
            json!({"title": "深圳市独角兽企业服务菜单", "label": "1.0"}),
        )
        .await
        .context("creating the menu")?;
    let menu_id = menu["id"].as_i64().context("the menu's id")?;
    let mut version = menu["version"].clone();
    let every_tier = json!(["seed", "potential", "unicorn", "super_unicorn"]);
    let items = [
        (
            "financing",
            "科创贷与首贷对接",
            "银行、担保与创投机构一对一对接",
            &clean,
            "free",
        ),
        (
            "listing",
            "上市辅导培训",
            "交易所与券商的上市前辅导",
            &clean,
            "free",
        ),
        (
            "space",
            "中试与研发场地",
            "区内产业用房优先配租",
            &clean,
            "free",
        ),
        (
            "talent",
            "高层次人才认定",
            "人才认定与子女入学、住房保障",
            &clean,
            "free",
        ),
        (
            "legal",
            "知识产权与合规咨询",
            "合规体检与专利布局",
            &doubtful,
            "negotiated",
        ),
    ];
    for (category, title, description, provider, fee) in items {
        let detail = api
            .post(
                &city,
                &format!("/api/menus/{menu_id}/items"),
                json!({
                    "version": version, "category": category, "title": title,
                    "description": description, "provider": provider["id"],
                    "tiers": every_tier, "delivery": "online", "fee": fee,
                    "time_limit_days": 10,
                }),
            )
            .await
            .with_context(|| format!("adding the item {title}"))?;
        version = detail["menu"]["version"].clone();
    }
    api.post(
        &city,
        &format!("/api/menus/{menu_id}/publish"),
        json!({"version": version}),
    )
    .await
    .context("publishing the menu")?;
    let published = api
        .get(&city, &format!("/api/menus/{menu_id}"))
        .await
        .context("the published menu")?;
    let flags_version = doubtful["version"].clone();
    let checked_on = day.checked_sub(jiff::Span::new().days(2))?;
    api.post(
        &city,
        &format!("/api/providers/{}/flags", doubtful["id"]),
        json!({
            "version": flags_version, "dishonest": true, "checked_on": checked_on.to_string(),
            "check_source": "信用中国", "complaints": 1, "reason": "列入失信被执行人名单",
        }),
    )
    .await
    .context("flagging a provider")?;
    let items = published["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|item| item["provider"] == clean["id"])
        .filter_map(|item| item["id"].as_i64())
        .collect();
    let policy = api
        .post(
            &city,
            "/api/policies",
            json!({
                "issuer": "深圳市工业和信息化局",
                "document_number": "深工信〔演示〕1号",
                "title": "深圳市独角兽培育库企业研发投入奖补（演示）",
                "published_on": day.to_string(),
                "valid_from": day.to_string(),
                "valid_until": day.checked_add(jiff::Span::new().years(2))?.to_string(),
            }),
        )
        .await
        .context("drafting the policy")?;
    let policy_id = policy["id"].as_i64().context("the policy's id")?;
    api.post(
        &city,
        &format!("/api/policies/{policy_id}/items"),
        json!({
            "version": policy["version"], "title": "研发投入奖补", "class": "award",
            "amount": { "kind": "capped", "cap": "2000000", "rule": "上年度研发投入的 10%" },
            "mode": "fast_application", "eligibility": ELIGIBILITY,
        }),
    )
    .await
    .context("adding the policy's item")?;
    Ok(Catalogue {
        items,
        policy: policy_id,
    })
}

/// Today, after the enterprise joined the pool: its stewards and a
/// contact, its package, the policy published and its match applied for.
/// The number of things made, for the summary: (stewards, matches).
pub(super) async fn today_for(
    api: &Api,
    enterprise: &str,
    catalogue: &Catalogue,
) -> anyhow::Result<(usize, usize)> {
    let city = api.token("demo.shenzhen").await?;
    let own = api.token("demo.enterprise").await?;
    let day = today()?.to_string();
    let mut stewards = Vec::new();
    for (role, name, department) in [
        ("government", "王敏", "深圳市工业和信息化局"),
        ("market", "陈立", "深圳市创新投资集团"),
    ] {
        let made = api
            .post(
                &city,
                &format!("/api/enterprises/{enterprise}/stewards"),
                json!({
                    "role": role, "department": department, "name": name,
                    "phone": "0755-8888 6666", "starts_on": day,
                }),
            )
            .await
            .with_context(|| format!("assigning the steward {name}"))?;
        stewards.push(made["id"].clone());
    }
    let requests = api
        .get(&own, "/api/requests?mine=true&per_page=3")
        .await
        .context("the enterprise's requests")?;
    let raised: Vec<Value> = requests["items"]
        .as_array()
        .into_iter()
        .flatten()
        .take(1)
        .map(|r| r["id"].clone())
        .collect();
    api.post(
        &city,
        &format!("/api/enterprises/{enterprise}/contacts"),
        json!({
            "steward": stewards[0], "contacted_on": day, "channel": "visit",
            "topics": "入库后的服务对接：中试场地、上市辅导", "requests": raised,
            "follow_up": "两周内回访场地落实情况",
        }),
    )
    .await
    .context("recording a contact")?;
    let year = today()?.year();
    api.post(
        &city,
        &format!("/api/enterprises/{enterprise}/packages"),
        json!({"year": year, "items": catalogue.items, "note": "入库企业年度服务包"}),
    )
    .await
    .context("composing the package")?;
    let policy = api
        .get(&city, &format!("/api/policies/{}", catalogue.policy))
        .await
        .context("the drafted policy")?;
    api.post(
        &city,
        &format!("/api/policies/{}/publish", catalogue.policy),
        json!({"version": policy["policy"]["version"]}),
    )
    .await
    .context("publishing the policy")?;
    let matches = api
        .get(&city, "/api/policy-matches")
        .await
        .context("the policy's matches")?;
    let found: Vec<Value> = matches["items"].as_array().cloned().unwrap_or_default();
    if let Some(own_match) = found.iter().find(|m| m["enterprise"] == enterprise) {
        let id = own_match["id"].clone();
        api.post(
            &city,
            &format!("/api/policy-matches/{id}/actions"),
            json!({"version": own_match["version"], "action": "push"}),
        )
        .await
        .context("pushing the match")?;
        let pushed = api
            .get(&own, &format!("/api/policy-matches/{id}"))
            .await
            .context("the pushed match")?;
        let version = pushed["version"].clone();
        api.post(
            &own,
            &format!("/api/policy-matches/{id}/actions"),
            json!({"version": version, "action": "apply", "note": "研发费用专项审计报告已上传"}),
        )
        .await
        .context("applying for the match")?;
    }
    Ok((stewards.len(), found.len()))
}

/// Today in China.
fn today() -> anyhow::Result<jiff::civil::Date> {
    Ok(jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .date())
}

/// The summary's line.
pub(super) fn summary((stewards, matches): (usize, usize)) -> String {
    format!(
        "  {stewards} stewards (服务管家) and a contact on record; a published service menu (one provider flagged and hidden); a year's service package; a published policy with {matches} match(es), one applied for"
    )
}
