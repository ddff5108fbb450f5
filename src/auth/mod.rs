//! Authentication (SPEC §4): token verification, the request's claims, and
//! the role checks every mutation starts with.

pub mod jwks;
pub mod jwt;

use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// What a token lets its bearer do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, async_graphql::Enum)]
pub enum Role {
    /// May only query.
    Viewer,
    /// May also run mutations, except settings.
    Member,
    /// May do everything.
    Admin,
}

impl Role {
    /// The claim value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Member => "member",
            Self::Admin => "admin",
        }
    }

    /// Parses a `workspace_role` claim.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "viewer" => Some(Self::Viewer),
            "member" => Some(Self::Member),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// The verified identity of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    /// `sub`: the user, when it is a UUID.
    pub user_id: Option<Uuid>,
    /// The workspace every read and write is confined to.
    pub workspace_id: Uuid,
    /// The role within it.
    pub role: Role,
}

impl Claims {
    /// `FORBIDDEN` unless the role may run mutations.
    pub fn require_member(&self) -> AppResult<()> {
        if self.role >= Role::Member {
            Ok(())
        } else {
            Err(AppError::Forbidden("the viewer role may only run queries".to_owned()))
        }
    }

    /// `FORBIDDEN` unless the role is admin.
    pub fn require_admin(&self) -> AppResult<()> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(AppError::Forbidden("only an admin may change settings".to_owned()))
        }
    }

    /// The JSON placed in `request.jwt.claims` for row-level security.
    /// (Written directly: every value is a UUID, a role's name or `null`,
    /// none needing an escape.)
    pub fn to_rls_json(&self) -> String {
        let mut uuid = Uuid::encode_buffer();
        let mut out = String::with_capacity(128);
        out.push_str("{\"workspace_id\":\"");
        out.push_str(self.workspace_id.hyphenated().encode_lower(&mut uuid));
        out.push_str("\",\"workspace_role\":\"");
        out.push_str(self.role.as_str());
        out.push_str("\",\"sub\":");
        match self.user_id {
            Some(id) => {
                out.push('"');
                out.push_str(id.hyphenated().encode_lower(&mut uuid));
                out.push('"');
            }
            None => out.push_str("null"),
        }
        out.push('}');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rls_claims_are_the_json_of_the_claims() {
        for user_id in [None, Some(Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0))] {
            for role in [Role::Viewer, Role::Member, Role::Admin] {
                let claims = Claims {
                    user_id,
                    workspace_id: Uuid::from_u128(0xfeed_0000_0000_0000_0000_0000_0000_00ab),
                    role,
                };
                let written: serde_json::Value = serde_json::from_str(&claims.to_rls_json()).unwrap();
                let expected = serde_json::json!({
                    "workspace_id": claims.workspace_id,
                    "workspace_role": role.as_str(),
                    "sub": user_id,
                });
                assert_eq!(written, expected);
            }
        }
    }
}
