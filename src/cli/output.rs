//! Where reports go: pairing `--format` with `--output`, checking destinations before the
//! scan, and writing (atomically for files, in place for devices and pipes).

use super::scan::Format;
use std::io::Write;
use std::path::PathBuf;

/// Pairs each format with where it goes (`None` is standard output).
pub fn output_targets(
    formats: &[Format],
    outputs: &[String],
) -> Result<Vec<(Format, Option<PathBuf>)>, String> {
    if outputs.is_empty() {
        if formats.len() > 1 {
            return Err(format!(
                "--format lists {} formats: give one --output per format, comma-separated in the same order (- for standard output)",
                formats.len()
            ));
        }
        return Ok(formats.iter().map(|f| (*f, None)).collect());
    }
    if outputs.len() != formats.len() {
        return Err(format!(
            "--format lists {} formats but --output lists {} destinations",
            formats.len(),
            outputs.len()
        ));
    }
    if outputs.iter().filter(|o| *o == "-").count() > 1 {
        return Err("only one format can go to standard output (-)".into());
    }
    Ok(formats
        .iter()
        .zip(outputs)
        .map(|(f, o)| (*f, (o != "-").then(|| PathBuf::from(o))))
        .collect())
}

/// How wide the text report may be: the terminal's width when it goes to a terminal, else
/// [`crate::report::text::PLAIN_WIDTH`] (80 columns), so files and CI logs are the same
/// everywhere.
pub fn text_width(output: Option<&PathBuf>) -> usize {
    use std::io::IsTerminal;
    let stdout = std::io::stdout();
    match (output, stdout.is_terminal()) {
        (None, true) => terminal_size::terminal_size_of(&stdout)
            .map_or(crate::report::text::PLAIN_WIDTH, |(w, _)| usize::from(w.0)),
        _ => crate::report::text::PLAIN_WIDTH,
    }
}

pub fn write_output(text: &str, output: Option<&PathBuf>) -> Result<(), String> {
    write_output_with(output, &mut |w| w.write_all(text.as_bytes()))
}

/// Like `write_output`, for a report written straight to its destination as it is rendered
/// (a large JSON report is never held whole in memory).
pub fn write_output_with(
    output: Option<&PathBuf>,
    write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    match output {
        Some(path) => write_atomically_with(path, write),
        None => {
            let mut stdout =
                std::io::BufWriter::with_capacity(WRITE_BUFFER, std::io::stdout().lock());
            match write(&mut stdout).and_then(|()| stdout.flush()) {
                // A reader that stopped reading (`| head`) is not an error worth reporting.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                // A full disk or a closed descriptor: the report was not delivered.
                Err(e) => Err(format!("cannot write the report to standard output: {e}")),
                Ok(()) => Ok(()),
            }
        }
    }
}

/// Bytes gathered before each write to the output: reports are tens of megabytes at 100 MB of
/// configuration, and with the default 8 KiB a JSON report took 21,000 system calls.
const WRITE_BUFFER: usize = 1 << 16;

/// Writes a report file. A regular file (or a new one) is written through a temporary file
/// beside it, then put in its place whole (`put_in_place`): a failed write (a full disk)
/// leaves the previous report whole instead of a truncated one. A link to a regular file is replaced at its target, so the link
/// stays. Anything else (`/dev/null`, `/dev/stdout`, a FIFO, a process substitution) is written
/// in place: renaming over it would replace a device or a pipe with a plain file.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    write_atomically_with(path, &mut |w| w.write_all(bytes))
}

/// `write_atomically`, with the bytes written by `write` as they are produced.
pub fn write_atomically_with(
    path: &std::path::Path,
    write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let target = match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => {
            return std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|f| {
                    let mut out = std::io::BufWriter::with_capacity(WRITE_BUFFER, f);
                    write(&mut out)?;
                    out.flush()
                })
                .map_err(fail);
        }
        Ok(_) => std::fs::canonicalize(path).map_err(fail)?,
        Err(_) => path.to_path_buf(),
    };
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let temporary =
        directory_of(&target).join(format!(".{name}.residency-{}.tmp", std::process::id()));
    let written = std::fs::File::create(&temporary).and_then(|f| {
        let mut out = std::io::BufWriter::with_capacity(WRITE_BUFFER, f);
        write(&mut out)?;
        close_checked(out.into_inner().map_err(|e| e.into_error())?)
    });
    if let Err(e) = written.and_then(|()| put_in_place(&temporary, &target)) {
        let _ = std::fs::remove_file(&temporary);
        return Err(fail(e));
    }
    Ok(())
}

/// Puts the written `temporary` file in the place of `target`, in one step that readers cannot
/// see half done. Over an existing report, Linux swaps the two files and the temporary name,
/// which then holds the previous report, is removed: renaming over a file made ext4 write the
/// new report out to disk first (its `auto_da_alloc` safeguard, 15-20 ms for a 71 MB report),
/// the wait that [`close_checked`] does without. Where swapping is not supported (another
/// system, an old kernel, a file system without it) or there is nothing to swap with, the file
/// is renamed.
fn put_in_place(temporary: &std::path::Path, target: &std::path::Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    if swap(temporary, target).is_ok() {
        // The previous report; should removing it fail, the new one is in place all the same.
        let _ = std::fs::remove_file(temporary);
        return Ok(());
    }
    std::fs::rename(temporary, target)
}

/// Exchanges two files atomically (`renameat2` with `RENAME_EXCHANGE`, Linux 3.15).
#[cfg(target_os = "linux")]
fn swap(a: &std::path::Path, b: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = |p: &std::path::Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c_path(a)?, c_path(b)?);
    // SAFETY: both paths are NUL-terminated and outlive the call, which only reads them.
    let status = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    match status {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

/// Closes a written report file and returns what closing says. On NFS, written data is sent
/// when the file is closed, and a failure then (a full disk, a quota) is the write's failure,
/// which dropping the file would hide. There is no `fsync`: the report is read back by the next
/// step of a job or by a person, from the page cache, and waiting for the disk took 25 ms for a
/// 71 MB report, and seconds on a runner busy writing other files (the journal flushes them
/// too). Local file systems report a full disk or a quota at `write`.
#[cfg(unix)]
fn close_checked(file: std::fs::File) -> std::io::Result<()> {
    use std::os::fd::IntoRawFd;
    let descriptor = file.into_raw_fd();
    // SAFETY: the descriptor was just taken from its `File`, so it is open and closed only here.
    match unsafe { libc::close(descriptor) } {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

/// Elsewhere, late write errors are seen by waiting for the disk.
#[cfg(not(unix))]
fn close_checked(file: std::fs::File) -> std::io::Result<()> {
    file.sync_all()
}

/// The directory an output file goes to (`.` for a bare file name).
pub fn directory_of(path: &std::path::Path) -> &std::path::Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    }
}

/// Checks before the scan that every output file can be written where it is asked for: its
/// directory exists, and no two formats go to the same file.
pub fn check_outputs<'a>(paths: impl IntoIterator<Item = &'a PathBuf>) -> Result<(), String> {
    let mut seen = crate::hash::HashSet::default();
    for path in paths {
        // A device or a pipe (`/dev/null` for two formats) may well take two reports.
        let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
        if !special && !seen.insert(crate::gate::absolute(path)) {
            return Err(format!(
                "{} is given as the output of two formats",
                path.display()
            ));
        }
        let dir = directory_of(path);
        if !dir.is_dir() {
            return Err(format!(
                "cannot write {}: directory {} does not exist",
                path.display(),
                dir.display()
            ));
        }
        if path.is_dir() {
            return Err(format!(
                "cannot write {}: it is a directory",
                path.display()
            ));
        }
    }
    Ok(())
}
