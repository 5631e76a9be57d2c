//! The `warraq` command line: parses arguments, runs one command, and is the only
//! place that prints an error and picks the exit code.

use anyhow::{anyhow, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use warraq::basics::error::BuildFailed;

// The build allocates many small strings and event lists from several threads; glibc's
// allocator took about 15% of a 10,000-article build (perf), mimalloc much less.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        /// Include articles whose `publish_at` is still to come.
        #[arg(long)]
        future: bool,
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
        /// Include articles whose `publish_at` is still to come.
        #[arg(long)]
        future: bool,
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
    /// Check the site without writing it: everything `build` checks, plus broken links.
    ///
    /// Renders every page into a throwaway buffer, then reports links to files, pages or
    /// headings that do not exist, tags, topics and authors spelled two ways, articles
    /// without `summary` or `topic`, dates in the future, stray bidi controls and Arabic
    /// presentation forms, each as `file:line:col: warning|error: message`. Exits non-zero
    /// on errors only.
    Check {
        /// The site folder (holding `site.toml`).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Check drafts too, as `build --drafts` would publish them.
        #[arg(long)]
        drafts: bool,
        /// Check articles whose `publish_at` is still to come as published.
        #[arg(long)]
        future: bool,
        /// Also fetch external http(s) links (never done by default).
        #[arg(long)]
        external: bool,
        /// With --external: never fetch URLs that start with this prefix (repeatable).
        #[arg(long, value_name = "URL-PREFIX")]
        skip: Vec<String>,
        /// With --external: seconds to wait for one URL.
        #[arg(long, value_name = "SECONDS", default_value_t = 10)]
        timeout: u64,
    },
    /// Convert an article copied from a news site (plain text) into a Markdown article.
    ///
    /// The first line is the headline (title, then subtitle after the first `..`); a byline
    /// such as `كتب NAME` gives the author; a line repeated twice is a photo caption; short
    /// lines between paragraphs become `##` headings; the site's trailing boilerplate is
    /// dropped. Paragraphs are copied as they are. Prints what it found and from which line.
    Import {
        /// The text file.
        file: PathBuf,
        /// Publication date, YYYY-MM-DD: required when the text has no dateline.
        #[arg(long, value_parser = parse_date)]
        date: Option<jiff::civil::Date>,
        /// The author, instead of the one in the byline.
        #[arg(long)]
        author: Option<String>,
        /// The publication's name (`source.name`), e.g. "اليوم السابع".
        #[arg(long)]
        source: Option<String>,
        /// The articles folder: the article goes to OUT/YYYY/<slug>.md.
        #[arg(long, default_value = "content/articles")]
        out: PathBuf,
        /// Replace the article if the file already exists.
        #[arg(long)]
        force: bool,
        /// A folder holding the article's photos: taken in the order of their names, one
        /// for each caption, and put beside the article (a folder article).
        #[arg(long)]
        images: Option<PathBuf>,
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
            future,
        } => build(
            &root,
            &warraq::BuildOptions {
                output,
                base_url,
                drafts,
                future,
            },
        ),
        Command::Serve {
            root,
            port,
            bind,
            drafts,
            future,
            open,
        } => warraq::serve::run(warraq::serve::ServeOptions {
            root,
            port,
            bind,
            drafts,
            future,
            open,
        }),
        Command::Init { dir } => init(&dir),
        Command::New {
            title,
            root,
            author,
        } => new(&root, &title, author),
        Command::Check {
            root,
            drafts,
            future,
            external,
            skip,
            timeout,
        } => check(
            &root,
            &warraq::check::CheckOptions {
                drafts,
                future,
                today: today(),
                external: external.then(|| warraq::check::ExternalOptions {
                    skip,
                    timeout: std::time::Duration::from_secs(timeout.max(1)),
                    ..Default::default()
                }),
            },
        ),
        Command::Import {
            file,
            date,
            author,
            source,
            out,
            force,
            images,
        } => {
            let opts = warraq::import::ImportOptions {
                date,
                author,
                source,
            };
            let path = import(&file, &opts, &out, force, images.as_deref())?;
            println!("wrote {}", path.display());
            Ok(())
        }
    }
}

fn build(root: &std::path::Path, opts: &warraq::BuildOptions) -> Result<()> {
    let r = warraq::build_before_exit(root, opts)?;
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
    if r.photos_encoded > 0 {
        println!(
            "photos: {} files encoded (kept in .warraq-cache/ for the next builds)",
            r.photos_encoded
        );
    }
    if !r.kept.is_empty() {
        println!(
            "kept from the previous output for the host: {} (put them in static/ to make them part of the site)",
            r.kept.join(", ")
        );
    }
    if let Some(next) = &r.next_change {
        println!("{next}");
    }
    if let Some(leftover) = &r.leftover {
        eprintln!("warning: {leftover}");
    }
    Ok(())
}

fn init(dir: &std::path::Path) -> Result<()> {
    let files = warraq::scaffold::init(dir, today())?;
    println!(
        "created a new site in {} ({} files)",
        dir.display(),
        files.len()
    );
    println!("next: cd {} && warraq build", dir.display());
    Ok(())
}

fn new(root: &std::path::Path, title: &str, author: Option<String>) -> Result<()> {
    let config = warraq::load_config(root, &warraq::BuildOptions::default())?;
    let author = author.or(config.default_author);
    let path = warraq::scaffold::new_article(root, title, author.as_deref(), today())?;
    println!(
        "created {} (a draft: remove `draft: true` to publish)",
        path.display()
    );
    Ok(())
}

fn check(root: &std::path::Path, opts: &warraq::check::CheckOptions) -> Result<()> {
    use warraq::check::Severity;
    let report = warraq::check::check(root, opts)?;
    for f in &report.findings {
        println!("{f}");
    }
    let (errors, warnings) = (
        report.count(Severity::Error),
        report.count(Severity::Warning),
    );
    println!(
        "checked {} articles and {} output files: {errors} error{}, {warnings} warning{}",
        report.articles,
        report.outputs,
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" },
    );
    if let Some(next) = &report.next_change {
        println!("{next}");
    }
    if errors > 0 {
        return Err(anyhow!(
            "check found {errors} error{}",
            if errors == 1 { "" } else { "s" }
        ));
    }
    Ok(())
}

fn import(
    file: &std::path::Path,
    opts: &warraq::import::ImportOptions,
    out: &std::path::Path,
    force: bool,
    images: Option<&std::path::Path>,
) -> Result<PathBuf> {
    // Read as an article is: a regular file within the article size limit, so a text
    // `build` would reject (or `/dev/zero`) is refused here, before it fills memory.
    let text = warraq::sources::content::load(file).map_err(|d| anyhow!("{d}"))?;
    let mut imported =
        warraq::import::convert(&text, opts).map_err(|m| anyhow!("{}: {m}", file.display()))?;
    if let Some(dir) = images {
        imported.attach_photos(&warraq::import::photos_in(dir)?);
    }
    print!("{}", warraq::import::describe(&imported));
    warraq::import::write(&imported, out, force)
}

fn parse_date(text: &str) -> Result<jiff::civil::Date, String> {
    warraq::sources::front_matter::parse_date(text)
}

fn today() -> jiff::civil::Date {
    jiff::Zoned::now().date()
}
