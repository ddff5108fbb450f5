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
    pub fn to_rls_json(&self) -> String {
        serde_json::json!({
            "workspace_id": self.workspace_id,
            "workspace_role": self.role.as_str(),
            "sub": self.user_id,
        })
        .to_string()
    }
}
