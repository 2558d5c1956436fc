//! The demo's month of cultivation services, played through the API on the
//! same days as its declarations: requests (诉求) filed a month ago and
//! carried to their end (one confirmed solved, one reopened and left
//! unsatisfied, one escalated to the province as a shared problem, one
//! withdrawn), requests of four days ago still open (one past its time to
//! answer, one waiting for the enterprise, one nobody accepted), and
//! today's (one returned by a department, one answered, one just filed).

use anyhow::Context;
use serde_json::{Value, json};

use super::Api;

/// A step on a request: the action and the fields it carries.
type RequestStep = (&'static str, Value);

impl Api {
    /// Files a request for `enterprise` as `token`'s account; its id.
    async fn file_request(
        &self,
        token: &str,
        enterprise: &str,
        class: &str,
        title: &str,
        body: &str,
    ) -> anyhow::Result<i64> {
        let filed = self
            .post(
                token,
                "/api/requests",
                json!({"enterprise": enterprise, "class": class, "title": title, "body": body}),
            )
            .await?;
        filed["id"]
            .as_i64()
            .with_context(|| format!("filing the request '{title}'"))
    }

    /// Takes the steps in order, each at the request's version, each as the
    /// account that takes it.
    async fn request_steps(&self, id: i64, steps: &[(&str, RequestStep)]) -> anyhow::Result<()> {
        for (token, (action, fields)) in steps {
            let current = self.get(token, &format!("/api/requests/{id}")).await?;
            let mut body = fields.clone();
            body["version"] = current["request"]["version"].clone();
            body["action"] = json!(action);
            self.post(token, &format!("/api/requests/{id}/actions"), body)
                .await
                .with_context(|| format!("request {id}: {action}"))?;
        }
        Ok(())
    }
}

/// The accounts that act on requests.
struct Cast {
    enterprise: String,
    city: String,
    province: String,
}

async fn cast(api: &Api) -> anyhow::Result<Cast> {
    Ok(Cast {
        enterprise: api.token("demo.enterprise").await?,
        city: api.token("demo.shenzhen").await?,
        province: api.token("demo.guangdong").await?,
    })
}

fn handled_to_answer(department: &str, answer: &str) -> Vec<RequestStep> {
    vec![
        ("accept", json!({})),
        ("dispatch", json!({"department": department})),
        ("start", json!({})),
        ("answer", json!({"answer": answer})),
    ]
}

/// A month ago: four requests carried to their end.
pub(super) async fn month_ago(api: &Api, enterprises: &[String]) -> anyhow::Result<usize> {
    let Cast {
        enterprise,
        city,
        province,
    } = cast(api).await?;
    let own = &enterprises[0];
    let other = enterprises.get(1).unwrap_or(own);

    let solved = api
        .file_request(
            &enterprise,
            own,
            "consultation",
            "研发费用加计扣除政策适用范围咨询",
            "我司 2024 年度委托外部研发的费用能否按 100% 加计扣除？请告知适用条件和需要留存的材料。",
        )
        .await?;
    let mut steps: Vec<(&str, RequestStep)> = handled_to_answer(
        "市税务局政策法规处",
        "委托境内机构研发的费用按实际发生额的 80% 计入加计扣除基数；需留存委托合同、技术合同登记证明及费用明细。",
    )
    .into_iter()
    .map(|step| (city.as_str(), step))
    .collect();
    steps.push((
        &city,
        (
            "close",
            json!({"reason": "已书面答复适用条件与留存材料清单。"}),
        ),
    ));
    steps.push((
        &enterprise,
        (
            "confirm",
            json!({"solved": true, "satisfaction": 5, "comment": "答复清楚及时。"}),
        ),
    ));
    api.request_steps(solved, &steps).await?;

    let reopened = api
        .file_request(
            &enterprise,
            own,
            "general",
            "中试基地用电扩容",
            "中试线投产需要将园区专变容量由 2000 kVA 扩至 5000 kVA，供电公司排期在明年三季度，影响交付。",
        )
        .await?;
    let mut steps: Vec<(&str, RequestStep)> = handled_to_answer(
        "市发展改革委能源处",
        "已协调供电公司将扩容工程列入今年第四季度计划。",
    )
    .into_iter()
    .map(|step| (city.as_str(), step))
    .collect();
    steps.push((
        &city,
        ("close", json!({"reason": "已协调纳入第四季度扩容计划。"})),
    ));
    steps.push((
        &enterprise,
        (
            "reopen",
            json!({"reason": "供电公司仍未给出具体施工日期，无法安排投产。"}),
        ),
    ));
    steps.push((&city, ("start", json!({}))));
    steps.push((
        &city,
        (
            "answer",
            json!({"answer": "供电公司答复施工日期须待设备到货后确定，预计十二月。"}),
        ),
    ));
    steps.push((
        &city,
        ("close", json!({"reason": "已取得供电公司书面答复。"})),
    ));
    steps.push((
        &enterprise,
        (
            "confirm",
            json!({"solved": false, "satisfaction": 2, "comment": "仍无确定日期。"}),
        ),
    ));
    api.request_steps(reopened, &steps).await?;

    let escalated = api
        .file_request(
            &city,
            other,
            "complex",
            "跨境数据传输安全评估周期过长",
            "企业反映数据出境安全评估排队时间超过六个月，园区多家企业情况相同。",
        )
        .await?;
    api.request_steps(
        escalated,
        &[
            (&city, ("accept", json!({}))),
            (
                &city,
                (
                    "escalate",
                    json!({"reason": "涉及省级网信部门审批，且为多家企业共性问题。", "shared": true}),
                ),
            ),
            (&province, ("accept", json!({}))),
            (
                &province,
                ("dispatch", json!({"department": "省委网信办数据安全处"})),
            ),
            (&province, ("start", json!({}))),
            (
                &province,
                (
                    "answer",
                    json!({"answer": "已开通省内重点企业评估绿色通道，材料齐全的 45 个工作日内办结。"}),
                ),
            ),
            (
                &province,
                ("close", json!({"reason": "绿色通道已开通并书面告知。"})),
            ),
        ],
    )
    .await?;

    let withdrawn = api
        .file_request(
            &enterprise,
            own,
            "general",
            "人才公寓申请",
            "两名博士入职，申请人才公寓各一套。",
        )
        .await?;
    api.request_steps(
        withdrawn,
        &[(
            &enterprise,
            ("withdraw", json!({"reason": "已自行解决住房。"})),
        )],
    )
    .await?;
    Ok(4)
}

/// Four days ago: requests still open today, one of them overdue.
pub(super) async fn days_ago(api: &Api, enterprises: &[String]) -> anyhow::Result<usize> {
    let Cast {
        enterprise, city, ..
    } = cast(api).await?;
    let own = &enterprises[0];
    let late = api
        .file_request(
            &enterprise,
            own,
            "general",
            "首台（套）装备保险补偿申报指导",
            "我司研制的高精度激光加工装备拟申报首台（套），请指导保险补偿的申报材料。",
        )
        .await?;
    api.request_steps(
        late,
        &[
            (&city, ("accept", json!({}))),
            (
                &city,
                ("dispatch", json!({"department": "市工业和信息化局装备处"})),
            ),
            (&city, ("start", json!({}))),
        ],
    )
    .await?;
    let waiting = api
        .file_request(
            &enterprise,
            own,
            "urgent",
            "进口关键零部件通关受阻",
            "一批进口光学镜片在海关查验，已滞留三天，影响下周交货。",
        )
        .await?;
    api.request_steps(
        waiting,
        &[
            (&city, ("accept", json!({}))),
            (&city, ("dispatch", json!({"department": "市商务局口岸处"}))),
            (&city, ("start", json!({}))),
            (
                &city,
                (
                    "suspend",
                    json!({"reason": "请企业补充报关单号和原产地证明。"}),
                ),
            ),
        ],
    )
    .await?;
    api.file_request(
        &city,
        enterprises.get(1).unwrap_or(own),
        "consultation",
        "高新技术企业认定复审时间",
        "企业询问高新技术企业资格到期后复审的申报时间。",
    )
    .await?;
    Ok(3)
}

/// Today: one returned by the department it went to, one answered, one
/// just filed.
pub(super) async fn today(api: &Api, enterprises: &[String]) -> anyhow::Result<usize> {
    let Cast {
        enterprise, city, ..
    } = cast(api).await?;
    let own = &enterprises[0];
    let returned = api
        .file_request(
            &enterprise,
            own,
            "general",
            "专利快速预审通道",
            "申请加入知识产权保护中心快速预审备案企业名单。",
        )
        .await?;
    api.request_steps(
        returned,
        &[
            (&city, ("accept", json!({}))),
            (&city, ("dispatch", json!({"department": "市科技创新局"}))),
            (
                &city,
                (
                    "return",
                    json!({"reason": "预审备案由市市场监管局（知识产权局）办理，非本局职责。"}),
                ),
            ),
        ],
    )
    .await?;
    let answered = api
        .file_request(
            &enterprise,
            own,
            "consultation",
            "独角兽企业培育库入库后的政策",
            "入库后可享受哪些市级支持政策？",
        )
        .await?;
    let steps: Vec<(&str, RequestStep)> = handled_to_answer(
        "市工业和信息化局企业处",
        "可享受服务专员对接、融资路演优先推荐、场景开放清单对接等支持，详见服务菜单。",
    )
    .into_iter()
    .map(|step| (city.as_str(), step))
    .collect();
    api.request_steps(answered, &steps).await?;
    api.file_request(
        &enterprise,
        own,
        "complex",
        "新建研发总部用地规划调整",
        "拟在南山区新建研发总部，现有地块为工业用地，需调整为新型产业用地（M0）。",
    )
    .await?;
    Ok(3)
}

/// The line the demo prints about its requests.
pub(super) fn summary(filed: usize) -> String {
    format!(
        "  {filed} requests (诉求) over the month: confirmed, reopened and unsatisfied (due for a revisit), escalated to the province, withdrawn, in progress and overdue, waiting for the enterprise, returned, answered, just filed"
    )
}
