//! The `dispecer` binary: parses the command line and hands over to the library.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "dispecer",
    version,
    about = "Dispatch service of DAS Timișoara"
)]
struct Cli {
    /// Configuration file layered over config/default.toml.
    #[arg(long, env = "DISPECER_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (the default).
    Serve {
        /// Load the synthetic Timișoara demo data when it is missing and print demo tokens.
        #[arg(long)]
        demo: bool,
    },
    /// Apply the database migrations and exit.
    Migrate,
    /// Load the synthetic demo data and print one token per role.
    SeedDemo,
    /// Manage console users.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Manage bearer credentials.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Print the time, distance and streets of a route (FROM/TO: lon,lat or an address).
    Route {
        from: String,
        to: String,
        /// Use the adapted van's profile instead of the EMIU car.
        #[arg(long)]
        van: bool,
    },
    /// Plan a day of adapted transport and store the plan (progress and manifests printed).
    Plan {
        /// The day, YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// Search budget in seconds (default: transport.plan_seconds).
        #[arg(long)]
        seconds: Option<f64>,
    },
    /// Print the OpenAPI 3.1 document (`dispecer openapi > docs/openapi.json`).
    Openapi,
    /// The SIA DC-09 alarm receiver.
    Receiver {
        #[command(subcommand)]
        what: ReceiverWhat,
    },
    /// Retention of records (`[retention]`).
    Retention {
        #[command(subcommand)]
        what: RetentionWhat,
    },
    /// Benchmarks that print figures.
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
}

#[derive(Subcommand)]
enum UserAction {
    /// Create a user, or update one (new password, role, name, resource); an update ends all of
    /// the user's sessions. Prints the password when none is given.
    Add {
        username: String,
        #[arg(long)]
        role: String,
        #[arg(long, env = "DISPECER_NEW_PASSWORD")]
        password: Option<String>,
        /// Display name (an update without it keeps the current one).
        #[arg(long)]
        name: Option<String>,
        /// The resource a driver or EMIU member works as (SOFER-01, EMIU-1); an update without
        /// it keeps the current one, `--resource ""` removes it.
        #[arg(long)]
        resource: Option<String>,
    },
    /// Shut an account: no more logins, and every session (browser, tablet) ends at once.
    Disable { username: String },
    /// Let a disabled user log in again (their old sessions stay ended).
    Enable { username: String },
    /// A user's sessions.
    Sessions {
        #[command(subcommand)]
        action: SessionsAction,
    },
}

#[derive(Subcommand)]
enum RetentionWhat {
    /// Remove (or anonymise) what is past its retention period, and log it in purge_log.
    Purge {
        /// Only count what would go: nothing removed, nothing logged.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum ReceiverWhat {
    /// Transmitter accounts (keys are never printed).
    Account {
        #[command(subcommand)]
        action: AccountAction,
    },
}

#[derive(Subcommand)]
enum AccountAction {
    /// Add an account, or change its key and device.
    Add {
        /// 3-16 hex digits, as the device sends it after `#`.
        account: String,
        /// AES key in hex (32, 48 or 64 digits); prefer the environment variable, so the key
        /// is not in the shell history.
        #[arg(
            long,
            env = "DISPECER_DC09_KEY",
            hide_env_values = true,
            required_unless_present = "plain"
        )]
        key: Option<String>,
        /// The account sends in plain (no encryption).
        #[arg(long, conflicts_with = "key")]
        plain: bool,
        /// The TeleAsistență device (registry id) the account belongs to.
        #[arg(long)]
        device: Option<String>,
        /// Supervision interval in minutes: silent longer (plus the grace) raises a missed
        /// check-in; for a linked device it becomes its check-in period.
        #[arg(long)]
        supervision_minutes: Option<i64>,
    },
    /// List the accounts.
    List,
    /// Remove an account.
    Remove { account: String },
}

#[derive(Subcommand)]
enum SessionsAction {
    /// End every session of the user (browser cookies and tablet tokens); the account stays.
    End { username: String },
}

#[derive(Subcommand)]
enum TokenAction {
    /// Create (or replace) a credential and print its token once.
    Add { name: String, role: String },
}

#[derive(Subcommand)]
enum BenchWhat {
    /// Alert intake: latency from POST to websocket receipt on every client.
    Intake {
        #[arg(long, default_value_t = 1000)]
        rate: u32,
        #[arg(long, default_value_t = 10)]
        seconds: u32,
        #[arg(long, default_value_t = 4)]
        clients: u32,
        /// A running server; without it the bench starts its own on a temporary SQLite file.
        #[arg(long)]
        url: Option<String>,
        /// A dispatcher's bearer token for --url.
        #[arg(long, env = "DISPECER_BENCH_TOKEN")]
        token: Option<String>,
        /// Database of the bench's own server, e.g. an empty PostgreSQL database
        /// (default: a temporary SQLite file).
        #[arg(long, conflicts_with = "url")]
        store: Option<String>,
    },
    /// The DC-09 receiver: N devices holding TCP connections, supervision and alarms.
    Receiver {
        #[arg(long, default_value_t = 10_000)]
        devices: u32,
        #[arg(long, default_value_t = 30)]
        seconds: u32,
        /// Seconds between a device's supervision (NULL) messages.
        #[arg(long, default_value_t = 60.0)]
        supervision_s: f64,
        /// Alarms per second, each from another device.
        #[arg(long, default_value_t = 200)]
        alarm_rate: u32,
    },
    /// Restart: rebuilding the live state from a synthetic year of events.
    Restart {
        /// Events written first (four per item: created, acknowledged, note, closed).
        #[arg(long, default_value_t = 1_000_000)]
        events: u64,
        /// An empty database to write them to, e.g. PostgreSQL (default: a temporary SQLite file).
        #[arg(long)]
        store: Option<String>,
        /// Restarts timed one after the other over the same log.
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// The assignment help: ranking a synthetic fleet around Timișoara by ETA for an item.
    Assign {
        /// Resources in the fleet.
        #[arg(long, default_value_t = 50)]
        resources: usize,
        /// Items ranked (one timing each).
        #[arg(long, default_value_t = 500)]
        runs: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// A synthetic adapted-transport day (meal rounds included) planned, checked, driven in
    /// simulation, then same-day insertions timed.
    TransportDay {
        /// Trips of the day, meal deliveries included.
        #[arg(long, default_value_t = 300)]
        trips: usize,
        #[arg(long, default_value_t = 15)]
        vehicles: u32,
        /// Meal deliveries among the trips (default: a fifth).
        #[arg(long)]
        meals: Option<usize>,
        /// Same-day insertions timed.
        #[arg(long, default_value_t = 1000)]
        insertions: usize,
        #[arg(long, default_value_t = 60.0)]
        seconds: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

async fn user(config: Option<&std::path::Path>, action: UserAction) -> anyhow::Result<()> {
    use dispecer::cli::users;
    match action {
        UserAction::Add {
            username,
            role,
            password,
            name,
            resource,
        } => {
            let new = users::NewUser {
                username,
                role,
                password,
                name,
                resource,
            };
            users::add_command(config, new).await
        }
        UserAction::Disable { username } => users::disable_command(config, &username).await,
        UserAction::Enable { username } => users::enable_command(config, &username).await,
        UserAction::Sessions {
            action: SessionsAction::End { username },
        } => users::end_sessions_command(config, &username).await,
    }
}

async fn receiver_account(
    config: Option<&std::path::Path>,
    action: AccountAction,
) -> anyhow::Result<()> {
    use dispecer::cli::receiver;
    match action {
        AccountAction::Add {
            account,
            key,
            plain,
            device,
            supervision_minutes,
        } => {
            let new = receiver::NewAccount {
                account,
                key: if plain { None } else { key },
                device_id: device,
                supervision_minutes,
            };
            receiver::add_command(config, new).await
        }
        AccountAction::List => receiver::list_command(config).await,
        AccountAction::Remove { account } => receiver::remove_command(config, &account).await,
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Some(Command::Route { from, to, van }) = &cli.command {
        return dispecer::cli::route(cli.config.as_deref(), from, to, *van);
    }
    if let Some(Command::Bench {
        what:
            BenchWhat::Assign {
                resources,
                runs,
                seed,
            },
    }) = &cli.command
    {
        let report = dispecer::cli::bench::assign(cli.config.as_deref(), *resources, *runs, *seed)?;
        println!("{report}");
        return Ok(());
    }
    if let Some(Command::Openapi) = &cli.command {
        print!("{}", dispecer::http::openapi::json());
        return Ok(());
    }
    let runtime = tokio::runtime::Runtime::new()?;
    let config = cli.config.as_deref();
    runtime.block_on(async {
        match cli.command.unwrap_or(Command::Serve { demo: false }) {
            Command::Serve { demo } => dispecer::cli::serve(config, demo).await,
            Command::Route { .. }
            | Command::Openapi
            | Command::Bench {
                what: BenchWhat::Assign { .. },
            } => Ok(()),
            Command::Migrate => dispecer::cli::migrate(config).await,
            Command::Plan { date, seconds } => {
                dispecer::cli::plan::plan(config, &date, seconds).await
            }
            Command::Bench {
                what:
                    BenchWhat::TransportDay {
                        trips,
                        vehicles,
                        meals,
                        insertions,
                        seconds,
                        seed,
                    },
            } => {
                dispecer::cli::plan::bench_day(dispecer::cli::plan::DayBench {
                    trips,
                    vehicles,
                    meals: meals.unwrap_or(trips / 5),
                    insertions,
                    seconds,
                    seed,
                })
                .await
            }
            Command::Bench {
                what:
                    BenchWhat::Restart {
                        events,
                        store,
                        runs,
                    },
            } => {
                let report = dispecer::cli::bench::restart(events, store, runs).await?;
                println!("{report}");
                Ok(())
            }
            Command::Bench {
                what:
                    BenchWhat::Receiver {
                        devices,
                        seconds,
                        supervision_s,
                        alarm_rate,
                    },
            } => {
                let report = dispecer::cli::bench_receiver::receiver(
                    dispecer::cli::bench_receiver::ReceiverArgs {
                        devices,
                        seconds,
                        supervision_s,
                        alarm_rate,
                    },
                )
                .await?;
                println!("{report}");
                Ok(())
            }
            Command::SeedDemo => dispecer::cli::seed_demo(config).await,
            Command::Retention {
                what: RetentionWhat::Purge { dry_run },
            } => dispecer::cli::retention::purge(config, dry_run).await,
            Command::User { action } => user(config, action).await,
            Command::Receiver {
                what: ReceiverWhat::Account { action },
            } => receiver_account(config, action).await,
            Command::Token {
                action: TokenAction::Add { name, role },
            } => dispecer::cli::token_add(config, &name, &role).await,
            Command::Bench {
                what:
                    BenchWhat::Intake {
                        rate,
                        seconds,
                        clients,
                        url,
                        token,
                        store,
                    },
            } => {
                let report = dispecer::cli::bench::intake(dispecer::cli::bench::IntakeArgs {
                    rate,
                    seconds,
                    clients,
                    url,
                    token,
                    store,
                })
                .await?;
                if report.failed_posts > 0 {
                    eprintln!("failed_posts={}", report.failed_posts);
                }
                println!("{report}");
                Ok(())
            }
        }
    })
}
