//! One error type for the request path, and its mapping to GraphQL error
//! codes (SPEC §7 "Errors").
//!
//! Policy: every error a client sees carries `extensions.code`, one of
//! `UNAUTHENTICATED`, `FORBIDDEN`, `NOT_FOUND`, `BAD_USER_INPUT`, `CONFLICT`,
//! `INTERNAL_SERVER_ERROR`; validation errors add `extensions.field`. An id of
//! another workspace is `NOT_FOUND`, never `FORBIDDEN`. Internal errors are
//! logged with their details and shown only as "internal server error": no
//! SQL, no driver message, no stack ever reaches a client.

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, SqlErr};

/// The `extensions.code` values of SPEC §7.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// 401: no or bad token.
    Unauthenticated,
    /// The role may not do this.
    Forbidden,
    /// No such id in the caller's workspace.
    NotFound,
    /// Invalid input; nothing was changed.
    BadUserInput,
    /// Clashes with the current state (duplicate, concurrent build, in use).
    Conflict,
    /// Anything else; details are in the log.
    Internal,
}

impl ErrorCode {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Conflict => "CONFLICT",
            Self::Internal => "INTERNAL_SERVER_ERROR",
        }
    }
}

/// An error on the request path.
///
/// Deliberately not `Display`: async-graphql converts any `Display` error into
/// a GraphQL error without a code, and a database error's text must never
/// reach a client. Resolvers return `AppResult`, so `?` on a `DbErr` goes
/// through `From<DbErr>` below.
#[derive(Debug, Clone)]
pub enum AppError {
    /// No token or a bad one (HTTP 401).
    Unauthenticated(String),
    /// The token's role may not do this.
    Forbidden(String),
    /// Not found in the caller's workspace.
    NotFound(String),
    /// Invalid input, optionally naming the input field.
    BadUserInput {
        /// What is wrong.
        message: String,
        /// The offending input field, when there is one.
        field: Option<String>,
    },
    /// Conflicts with the current state.
    Conflict(String),
    /// Internal failure; the text is logged, never shown.
    Internal(String),
}

/// Result on the request path.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// Invalid input without a field.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadUserInput { message: message.into(), field: None }
    }

    /// Invalid input naming its field.
    pub fn bad_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput { message: message.into(), field: Some(field.into()) }
    }

    /// `NOT_FOUND` for a kind of thing and its id.
    pub fn not_found(what: &str, id: impl std::fmt::Display) -> Self {
        Self::NotFound(format!("{what} {id} not found"))
    }

    /// An internal error from anything displayable.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }

    /// The message a client sees.
    pub fn message(&self) -> &str {
        match self {
            Self::Unauthenticated(m) | Self::Forbidden(m) | Self::NotFound(m) | Self::Conflict(m) => m,
            Self::BadUserInput { message, .. } => message,
            Self::Internal(_) => "internal server error",
        }
    }

    /// The error's code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::BadUserInput { .. } => ErrorCode::BadUserInput,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<DbErr> for AppError {
    fn from(e: DbErr) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                return Self::Conflict("a record with these values already exists".to_owned());
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                return Self::bad_input("a referenced record does not exist in this workspace");
            }
            _ => {}
        }
        if let Some(code) = database_error_code(&e) {
            match code.as_str() {
                // check_violation (Postgres) / SQLITE_CONSTRAINT_CHECK
                "23514" | "275" => return Self::bad_input("a value is out of its allowed range"),
                // string_data_right_truncation / numeric_value_out_of_range
                "22001" | "22003" => return Self::bad_input("a value is too long or too large"),
                // character_not_in_repertoire / untranslatable_character: a NUL in text
                "22021" | "22P05" => return Self::bad_input("text may not contain NUL characters"),
                // lock_not_available / serialization_failure / deadlock_detected
                "55P03" | "40001" | "40P01" => {
                    return Self::Conflict(
                        "the record is being changed by another request; retry".to_owned(),
                    );
                }
                _ => {}
            }
        }
        Self::Internal(e.to_string())
    }
}

/// The SQLSTATE (Postgres) or extended result code (SQLite) of a database error.
pub fn database_error_code(e: &DbErr) -> Option<String> {
    use sea_orm::RuntimeErr;
    let runtime = match e {
        DbErr::Exec(r) | DbErr::Query(r) => r,
        DbErr::Conn(r) => r,
        _ => return None,
    };
    match runtime {
        RuntimeErr::SqlxError(sqlx_err) => match sqlx_err.as_ref() {
            sqlx::Error::Database(db) => db.code().map(|c| c.into_owned()),
            _ => None,
        },
        _ => None,
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(e: AppError) -> Self {
        e.to_graphql_error()
    }
}

impl From<std::sync::Arc<AppError>> for AppError {
    fn from(e: std::sync::Arc<AppError>) -> Self {
        (*e).clone()
    }
}

impl From<async_graphql::Error> for AppError {
    fn from(e: async_graphql::Error) -> Self {
        Self::Internal(e.message)
    }
}

impl AppError {
    /// The GraphQL error a client sees; internal details are logged here.
    pub fn to_graphql_error(&self) -> async_graphql::Error {
        if let Self::Internal(detail) = self {
            tracing::error!(error = %detail, "internal error");
        }
        let field = match self {
            Self::BadUserInput { field, .. } => field.clone(),
            _ => None,
        };
        async_graphql::Error::new(self.message()).extend_with(|_, ext| {
            ext.set("code", self.code().as_str());
            if let Some(field) = &field {
                ext.set("field", field.as_str());
            }
        })
    }
}
