//! The `warraq` command line: parses arguments, runs one command, and is the only
//! place that prints an error and picks the exit code.

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use warraq::error::BuildFailed;

/// A fast, right-to-left-first static-site generator for archives of Arabic writing.
#[derive(Parser)]
#[command(name = "warraq", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into its output folder (`public/` by default).
    Build {
        /// The site folder (holding `site.toml`).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site (default: `output_dir` from site.toml).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Use this base URL instead of site.toml's `base_url`.
        #[arg(long)]
        base_url: Option<String>,
        /// Include articles marked `draft: true`.
        #[arg(long)]
        drafts: bool,
    },
    /// Build, serve the site on this machine, and rebuild and reload the browser on
    /// every change.
    Serve {
        /// The site folder (holding `site.toml`).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The port (default: 1111, or the next free one; 0: any free port).
        #[arg(long)]
        port: Option<u16>,
        /// The address to listen on. Only this machine can connect to the default;
        /// `0.0.0.0` lets any machine that can reach this one read the site.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Include articles marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Create a new site in DIR: site.toml, the default theme and a sample article.
    Init {
        /// The folder to create the site in.
        dir: PathBuf,
    },
    /// Create a new article, `content/articles/YYYY/<slug>.md`, dated today.
    New {
        /// The article's title, e.g. "عنوان المقال".
        title: String,
        /// The site folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The author (default: site.toml's `default_author`).
        #[arg(long)]
        author: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(failed) = e.downcast_ref::<BuildFailed>() {
                eprintln!("{failed}");
            } else {
                eprintln!("error: {e:#}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Build {
            root,
            output,
            base_url,
            drafts,
        } => {
            let opts = warraq::BuildOptions {
                output,
                base_url,
                drafts,
            };
            let r = warraq::build(&root, &opts)?;
            if r.up_to_date {
                println!(
                    "{} is up to date: no input changed since the last build ({} ms)",
                    r.output.display(),
                    r.elapsed.as_millis()
                );
                return Ok(());
            }
            println!(
                "built {} articles into {}: {} files ({} written, {} unchanged) in {} ms",
                r.articles,
                r.output.display(),
                r.files,
                r.written,
                r.unchanged,
                r.elapsed.as_millis()
            );
        }
        Command::Serve {
            root,
            port,
            bind,
            drafts,
            open,
        } => warraq::serve::run(warraq::serve::ServeOptions {
            root,
            port,
            bind,
            drafts,
            open,
        })?,
        Command::Init { dir } => {
            let files = warraq::scaffold::init(&dir, today())?;
            println!(
                "created a new site in {} ({} files)",
                dir.display(),
                files.len()
            );
            println!("next: cd {} && warraq build", dir.display());
        }
        Command::New {
            title,
            root,
            author,
        } => {
            let config = warraq::load_config(&root, &warraq::BuildOptions::default())?;
            let author = author.or(config.default_author);
            let path = warraq::scaffold::new_article(&root, &title, author.as_deref(), today())?;
            println!(
                "created {} (a draft: remove `draft: true` to publish)",
                path.display()
            );
        }
    }
    Ok(())
}

fn today() -> jiff::civil::Date {
    jiff::Zoned::now().date()
}
