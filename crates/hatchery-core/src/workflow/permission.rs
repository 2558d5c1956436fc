//! What each role may do, anywhere. Where it may do it is the scope's
//! business ([`super::jurisdiction::Scope`]): a capability answers "may this
//! role ever do this?" (no: 403), the scope answers "does this thing exist
//! for this account?" (no: 404).

use serde::Serialize;

use super::account::Role;

/// Something an account may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// List enterprises, read one with its events and its tier with reasons.
    ReadEnterprises,
    /// Counts by tier and division.
    ReadStatistics,
    /// Read declarations, their history, evidence and objections.
    ReadDeclarations,
    /// Create, edit, submit and withdraw declarations; upload evidence.
    Declare,
    /// First review: approve, return for revision or reject a submitted declaration.
    ReviewLocally,
    /// Recommend (or return, or reject) a locally approved declaration.
    Recommend,
    /// National review, public notice, objections and confirmation.
    ReviewNationally,
    /// Lodge an objection against a declaration under public notice.
    LodgeObjection,
    /// Read the cultivation pool.
    ReadPool,
    /// Re-run the engine over the pool and propose changes.
    Reevaluate,
    /// Read re-evaluation proposals.
    ReadProposals,
    /// Confirm or dismiss proposals for the province's members.
    DecideProposals,
    /// Create and change accounts.
    ManageAccounts,
    /// Read accounts.
    ReadAccounts,
    /// Add, rename and correct national zones.
    ManageZones,
    /// Add rule sets.
    ManageRuleSets,
    /// Import ledger data.
    ImportData,
    /// Set recommendation quotas.
    ManageQuotas,
    /// Read and verify the audit log.
    ReadAudit,
    /// Check enterprises' registrations in one's city or zone: activate or reject them.
    CheckRegistrations,
    /// Read enterprises' requests (诉求), their steps and the figures on them.
    ReadRequests,
    /// File a request: the enterprise, or its city or zone office on its behalf.
    FileRequests,
    /// Handle requests at one's level: accept, dispatch, answer, close, escalate.
    HandleRequests,
    /// Read stewards (服务管家) and the contact log (an enterprise: its own
    /// active stewards and the dates, channels and topics of contacts).
    ReadStewards,
    /// Assign stewards to pool enterprises in one's jurisdiction, and end
    /// their assignments.
    ManageStewards,
    /// Record contacts (走访) with enterprises in one's jurisdiction.
    LogContacts,
    /// Read the service catalogue: providers and menus (an enterprise: the
    /// items it may use, and its packages).
    ReadCatalogue,
    /// Register providers, set their vetting flags, compose, publish and
    /// version menus in one's jurisdiction.
    ManageCatalogue,
    /// Compose an enterprise's yearly service package (服务包).
    ComposePackages,
    /// Read policies (惠企政策) and their items (an enterprise: the published
    /// policies that reach it).
    ReadPolicies,
    /// Write, publish, withdraw and match the policies of one's jurisdiction.
    ManagePolicies,
    /// Read policy matches and their redemption (an enterprise: its own).
    ReadPolicyMatches,
    /// Move matches through redemption: push, grant, review, approve,
    /// reject with a reason, record payment.
    RedeemPolicies,
    /// Apply for a policy item one was matched to: the enterprise itself.
    ApplyForPolicies,
    /// Confirm or correct what the system holds about an enterprise ("enter
    /// once"): the enterprise itself, or an official in its jurisdiction
    /// (its steward's office).
    CorrectProfiles,
    /// Read regional cultivation targets (培育目标) and their progress within
    /// one's jurisdiction: officials and the ministry, who set and answer
    /// for them.
    ReadTargets,
}

impl Capability {
    /// Whether `role` has this capability.
    pub fn granted_to(self, role: Role) -> bool {
        use Role::*;
        match self {
            Self::ReadEnterprises => !matches!(role, Analyst),
            Self::ReadStatistics => !matches!(role, Enterprise),
            Self::ReadDeclarations => !matches!(role, Investor | Analyst),
            Self::Declare => matches!(role, Enterprise | ZoneReviewer),
            Self::ReviewLocally | Self::CheckRegistrations => {
                matches!(role, CityReviewer | ZoneReviewer)
            }
            Self::Recommend | Self::DecideProposals => matches!(role, ProvinceReviewer),
            Self::ReviewNationally => matches!(role, MinistryReviewer),
            Self::LodgeObjection => !matches!(role, Analyst | Auditor),
            Self::ReadPool => !matches!(role, Analyst),
            Self::Reevaluate => matches!(role, MinistryAdmin | MinistryReviewer),
            Self::ReadProposals => matches!(
                role,
                MinistryAdmin | MinistryReviewer | ProvinceReviewer | Auditor
            ),
            Self::ReadAccounts => matches!(role, MinistryAdmin | Auditor),
            Self::ManageAccounts
            | Self::ManageZones
            | Self::ManageRuleSets
            | Self::ImportData
            | Self::ManageQuotas => matches!(role, MinistryAdmin),
            Self::ReadAudit => matches!(role, MinistryAdmin | Auditor),
            Self::ReadRequests => !matches!(role, Investor | Analyst),
            Self::FileRequests => matches!(role, Enterprise | CityReviewer | ZoneReviewer),
            Self::HandleRequests => matches!(
                role,
                CityReviewer | ZoneReviewer | ProvinceReviewer | MinistryReviewer
            ),
            Self::ReadStewards => !matches!(role, Investor | Analyst),
            Self::ManageStewards | Self::LogContacts => matches!(
                role,
                CityReviewer | ZoneReviewer | ProvinceReviewer | MinistryReviewer
            ),
            Self::ReadCatalogue => !matches!(role, Investor | Analyst),
            Self::ManageCatalogue | Self::ComposePackages => matches!(
                role,
                CityReviewer | ZoneReviewer | ProvinceReviewer | MinistryReviewer
            ),
            Self::ReadPolicies => !matches!(role, Analyst),
            Self::ReadPolicyMatches => !matches!(role, Investor | Analyst),
            Self::ManagePolicies | Self::RedeemPolicies => matches!(
                role,
                CityReviewer | ZoneReviewer | ProvinceReviewer | MinistryReviewer
            ),
            Self::ApplyForPolicies => matches!(role, Enterprise),
            Self::CorrectProfiles => matches!(
                role,
                Enterprise | CityReviewer | ZoneReviewer | ProvinceReviewer | MinistryReviewer
            ),
            Self::ReadTargets => matches!(
                role,
                MinistryAdmin | MinistryReviewer | ProvinceReviewer | CityReviewer | ZoneReviewer
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administration_is_the_ministry_admins_alone() {
        for role in Role::ALL {
            let admin = role == Role::MinistryAdmin;
            for capability in [
                Capability::ManageAccounts,
                Capability::ManageZones,
                Capability::ManageRuleSets,
                Capability::ImportData,
                Capability::ManageQuotas,
            ] {
                assert_eq!(capability.granted_to(role), admin, "{role} {capability:?}");
            }
        }
    }

    #[test]
    fn each_stage_of_review_has_one_level() {
        use Role::*;
        let holders = |c: Capability| -> Vec<Role> {
            Role::ALL.into_iter().filter(|r| c.granted_to(*r)).collect()
        };
        assert_eq!(holders(Capability::Declare), vec![ZoneReviewer, Enterprise]);
        assert_eq!(
            holders(Capability::ReviewLocally),
            vec![CityReviewer, ZoneReviewer]
        );
        assert_eq!(
            holders(Capability::CheckRegistrations),
            vec![CityReviewer, ZoneReviewer]
        );
        assert_eq!(holders(Capability::Recommend), vec![ProvinceReviewer]);
        assert_eq!(
            holders(Capability::ReviewNationally),
            vec![MinistryReviewer]
        );
        assert_eq!(holders(Capability::ReadAudit), vec![MinistryAdmin, Auditor]);
        assert!(!Capability::ReadDeclarations.granted_to(Analyst));
        assert!(!Capability::ReadEnterprises.granted_to(Analyst));
        assert!(Capability::ReadStatistics.granted_to(Analyst));
    }
}
