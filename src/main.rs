//! `latticeiq`: command-line parsing; each command lives in `commands`.
#![expect(clippy::print_stdout, reason = "printing results is what a command-line tool is for")]

use std::process::ExitCode;

/// mimalloc: the request path allocates many small objects (rows, JSON,
/// GraphQL values); glibc's malloc was the top entry of the profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand, ValueEnum};
use latticeiq::auth::Role;
use latticeiq::commands::{self, MigrateAction};
use latticeiq::config::{Config, LogFormat};
use uuid::Uuid;

/// LatticeIQ Gateway: the GraphQL API of the LatticeIQ CRM.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations, seed the demo into an empty database, and serve (the default).
    Serve,
    /// Apply, revert or list migrations.
    Migrate {
        /// up (default), down (the last one), status, or fresh (revert all, apply all).
        #[arg(value_enum, default_value_t = MigrateArg::Up)]
        action: MigrateArg,
    },
    /// Generate deterministic demo or benchmark contacts.
    Seed {
        /// The workspace (the demo workspace reproduces the design log's 482 contacts).
        #[arg(long)]
        workspace: Uuid,
        /// How many contacts (ignored for the demo workspace).
        #[arg(long, default_value_t = 1000)]
        contacts: u64,
        /// Random seed: the same seed gives the same data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Print an HS256 token signed with the configured secret.
    Token {
        /// The workspace the token is confined to.
        #[arg(long)]
        workspace: Uuid,
        /// viewer, member or admin.
        #[arg(long, value_enum, default_value_t = RoleArg::Admin)]
        role: RoleArg,
        /// Lifetime: 30s, 15m, 1h, 7d.
        #[arg(long, default_value = "1h", value_parser = commands::parse_ttl)]
        ttl: std::time::Duration,
        /// The user id (`sub`).
        #[arg(long)]
        sub: Option<Uuid>,
    },
    /// Print the GraphQL schema (SDL), identical to schema.graphql.
    PrintSchema,
    /// Re-derive the typed enrichment columns of a workspace's contacts from their JSON.
    Backfill {
        /// The workspace.
        #[arg(long)]
        workspace: Uuid,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum MigrateArg {
    Up,
    Down,
    Status,
    Fresh,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Viewer,
    Member,
    Admin,
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

fn main() -> ExitCode {
    // Generous stacks: GraphQL input coercion recurses with the input's nesting.
    match tokio::runtime::Builder::new_multi_thread().enable_all().thread_stack_size(8 << 20).build() {
        Ok(rt) => rt.block_on(async_main()),
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn async_main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::PrintSchema = command {
        print!("{}", latticeiq::graphql::sdl());
        return ExitCode::SUCCESS;
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    init_logging(config.log_format);
    match run(command, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => commands::serve(config).await,
        Command::PrintSchema => Ok(()),
        Command::Migrate { action } => {
            let action = match action {
                MigrateArg::Up => MigrateAction::Up,
                MigrateArg::Down => MigrateAction::Down,
                MigrateArg::Status => MigrateAction::Status,
                MigrateArg::Fresh => MigrateAction::Fresh,
            };
            print!("{}", commands::migrate(&config, action).await?);
            Ok(())
        }
        Command::Seed { workspace, contacts, seed } => {
            let r = commands::seed(&config, workspace, contacts, seed).await?;
            println!(
                "seeded {} contacts into {workspace} in {:.1} s ({}); default ICP: {} processed, {} matched",
                r.contacts,
                r.total_time.as_secs_f64(),
                if r.bulk { "bulk load: COPY, indexes rebuilt" } else { "batched INSERTs" },
                r.matched.processed,
                r.matched.matched
            );
            Ok(())
        }
        Command::Token { workspace, role, ttl, sub } => {
            let role = match role {
                RoleArg::Viewer => Role::Viewer,
                RoleArg::Member => Role::Member,
                RoleArg::Admin => Role::Admin,
            };
            println!("{}", commands::token(&config, workspace, role, ttl, sub)?);
            Ok(())
        }
        Command::Backfill { workspace } => {
            let n = commands::backfill(&config, workspace).await?;
            println!("backfilled {n} contacts of {workspace}");
            Ok(())
        }
    }
}
