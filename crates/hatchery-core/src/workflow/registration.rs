//! An enterprise registering itself: what it fills in, the checks on it that
//! need nothing stored, and the states a registration goes through.
//!
//! A registration is `pending` until the enterprise's city or zone official
//! activates it (`active`: the enterprise account exists, bound to its ledger
//! record) or rejects it with a written reason (`rejected`).

use serde::{Deserialize, Serialize};

use super::declaration::FormProblem;
use crate::Uscc;
use crate::date::PartialDate;
use crate::division::DivisionCode;

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RegistrationState {
    /// Waiting for the official's check.
    Pending,
    /// Activated: the account exists and may sign in.
    Active,
    /// Rejected with a reason.
    Rejected,
}

impl RegistrationState {
    pub const ALL: [Self; 3] = [Self::Pending, Self::Active, Self::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// What the registrant fills in, as typed (trimmed by [`RegistrationForm::check`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationForm {
    /// The unified social credit code, 18 symbols (GB 32100-2015).
    pub uscc: String,
    /// The enterprise's registered name (up to 200 characters).
    pub name: String,
    /// Its region: a city or district division code (GB/T 2260).
    pub region: String,
    /// When it was founded: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub founded: String,
    /// Who answers for the registration (up to 100 characters).
    pub contact_name: String,
    /// Their telephone number (6 to 32 digits, spaces, `+`, `-`).
    pub contact_phone: String,
    /// Their e-mail address, optional.
    pub contact_email: String,
}

/// A registration's fields once every check that needs nothing stored passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRegistration {
    pub uscc: Uscc,
    pub name: String,
    pub region: DivisionCode,
    pub founded: PartialDate,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: Option<String>,
}

pub(crate) fn problem(field: &'static str, text: impl Into<String>) -> FormProblem {
    FormProblem {
        field,
        problem: text.into(),
    }
}

/// Checks a piece of free text: required, at most `limit` characters, no control characters.
pub(crate) fn text(
    field: &'static str,
    value: &str,
    limit: usize,
    problems: &mut Vec<FormProblem>,
) -> String {
    let value = value.trim();
    let count = value.chars().count();
    if count == 0 {
        problems.push(problem(field, "required"));
    } else if count > limit {
        problems.push(problem(
            field,
            format!("at most {limit} characters, found {count}"),
        ));
    } else if value.chars().any(char::is_control) {
        problems.push(problem(field, "control characters are not allowed"));
    }
    value.to_owned()
}

pub(crate) fn phone_ok(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    (6..=20).contains(&digits)
        && phone.chars().count() <= 32
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')'))
}

pub(crate) fn email_ok(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.chars().count() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
}

impl RegistrationForm {
    /// Every problem with the form, each with its field, or its checked values.
    /// The region must be a division the table knows, at city or district
    /// level (a province has no single official to check the registration).
    pub fn check(&self) -> Result<CheckedRegistration, Vec<FormProblem>> {
        let mut problems = Vec::new();
        let uscc = match Uscc::parse(self.uscc.trim()) {
            Ok(uscc) => Some(uscc),
            Err(e) => {
                problems.push(problem("uscc", e.to_string()));
                None
            }
        };
        let name = text("name", &self.name, 200, &mut problems);
        let region = match DivisionCode::parse(self.region.trim()) {
            Ok(code) if code.name().is_none() => {
                problems.push(problem(
                    "region",
                    format!("division code {code} is not in the GB/T 2260 table"),
                ));
                None
            }
            Ok(code)
                if code.level() == crate::division::DivisionLevel::Province
                    && !code.is_municipality() =>
            {
                problems.push(problem(
                    "region",
                    "choose the city or district, not the province",
                ));
                None
            }
            Ok(code) => Some(code),
            Err(e) => {
                problems.push(problem("region", e.to_string()));
                None
            }
        };
        let founded = match PartialDate::parse(self.founded.trim()) {
            Ok(date) => Some(date),
            Err(e) => {
                problems.push(problem("founded", e.to_string()));
                None
            }
        };
        let contact_name = text("contact_name", &self.contact_name, 100, &mut problems);
        let contact_phone = self.contact_phone.trim().to_owned();
        if contact_phone.is_empty() {
            problems.push(problem("contact_phone", "required"));
        } else if !phone_ok(&contact_phone) {
            problems.push(problem(
                "contact_phone",
                "a telephone number has 6 to 20 digits, with spaces, +, - or brackets",
            ));
        }
        let email = self.contact_email.trim();
        if !email.is_empty() && !email_ok(email) {
            problems.push(problem("contact_email", "not an e-mail address"));
        }
        match (uscc, region, founded) {
            (Some(uscc), Some(region), Some(founded)) if problems.is_empty() => {
                Ok(CheckedRegistration {
                    uscc,
                    name,
                    region,
                    founded,
                    contact_name,
                    contact_phone,
                    contact_email: (!email.is_empty()).then(|| email.to_owned()),
                })
            }
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> RegistrationForm {
        RegistrationForm {
            uscc: String::new(),
            name: "深圳未来科技有限公司".into(),
            region: "440305".into(),
            founded: "2019-05".into(),
            contact_name: "张三".into(),
            contact_phone: "+86 755 1234 5678".into(),
            contact_email: String::new(),
        }
    }

    fn valid_uscc() -> String {
        let organisation = crate::uscc::organisation_code("MA5FUTUR").unwrap();
        crate::uscc::with_check_symbol(&format!("91440300{organisation}")).unwrap()
    }

    #[test]
    fn a_complete_form_passes() {
        let mut f = form();
        f.uscc = valid_uscc();
        let checked = f.check().unwrap();
        assert_eq!(checked.region.to_string(), "440305");
        assert_eq!(checked.contact_email, None);
    }

    #[test]
    fn every_problem_is_named_with_its_field() {
        let f = RegistrationForm {
            uscc: "91440300MA5FUTURE0".into(),
            name: " ".into(),
            region: "440000".into(),
            founded: "2019-13".into(),
            contact_name: String::new(),
            contact_phone: "abc".into(),
            contact_email: "nobody".into(),
        };
        let fields: Vec<_> = f.check().unwrap_err().iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                "uscc",
                "name",
                "region",
                "founded",
                "contact_name",
                "contact_phone",
                "contact_email"
            ]
        );
    }

    #[test]
    fn an_unknown_division_and_a_municipality() {
        let mut f = form();
        f.uscc = valid_uscc();
        f.region = "449999".into();
        assert_eq!(f.check().unwrap_err()[0].field, "region");
        f.region = "110000".into();
        assert!(f.check().is_ok(), "a municipality is its own city");
    }

    #[test]
    fn states_round_trip() {
        for state in RegistrationState::ALL {
            assert_eq!(RegistrationState::parse(state.as_str()), Some(state));
        }
    }
}
