//! The one gate every file the scan reads passes through, by whatever route it is reached (the
//! walk, tfvars files beside a module, module directories, paths named in `residency.toml`).
//!
//! Pull requests are written by strangers: a `terraform.tfvars.json` that is a symbolic link to
//! `~/.terraform.d/credentials.tfrc.json`, or a module source of `../../../../etc`, must not make
//! the scan read, and then print, a file outside the repository. So a file is read only when it
//! is a regular file (not a FIFO or a device, which could hang or never end), within the size
//! limit, inside the scan roots, and not a symbolic link (unless `--follow-symlinks`; even then
//! never into `/proc`, `/sys` or `/dev`, nor onto another file system). Files the user names on
//! the command line (`--config`, `--policy`, `--var-file`, ...) are the user's choice and go
//! through [`read_user_file`]: regular files within the size limit, nothing else.

use crate::diag::{Code, Diagnostic};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Files larger than this are reported, not read, unless `--max-file-size` says otherwise: no
/// real template comes close, and a multi-gigabyte file in a repository is a mistake or an
/// attack.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// System directories that are never scanned, even through a followed link: reading them walks
/// the whole machine (`/proc/*/root`) or never ends (`/dev/zero`).
const SYSTEM_DIRS: &[&str] = &["/proc", "/sys", "/dev"];

pub const SYMLINK_NOT_FOLLOWED: &str =
    "symbolic link that leads outside the scanned paths, or to a directory; not followed (pass --follow-symlinks to scan what it points to)";

/// Where a file may be: among the scanned files, or (for Terraform's local modules) also in the
/// working directory that the scan was started from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Scan,
    Modules,
}

/// The rules for reading input files, fixed once per scan.
#[derive(Debug, Clone, Default)]
pub struct Gate {
    /// The scan roots (directories; the parent of a scanned file), absolute and lexically
    /// normalised, each with its canonical form.
    roots: Vec<(PathBuf, PathBuf)>,
    /// The working directory, for local module sources only.
    module_roots: Vec<(PathBuf, PathBuf)>,
    follow_symlinks: bool,
    max_bytes: u64,
}

/// The limit to apply: the given one, or the default for 0.
pub fn file_limit(max: u64) -> u64 {
    if max == 0 {
        MAX_FILE_BYTES
    } else {
        max
    }
}

impl Gate {
    /// A gate for scanning `paths`. `max_bytes` 0 is the default limit.
    pub fn new(paths: &[PathBuf], follow_symlinks: bool, max_bytes: u64) -> Gate {
        let root_of = |p: &Path| {
            let absolute = root_dir(p);
            let canonical = absolute.canonicalize().unwrap_or_else(|_| absolute.clone());
            (absolute, canonical)
        };
        let roots: Vec<_> = paths.iter().map(|p| root_of(p)).collect();
        let module_roots = std::env::current_dir()
            .map(|cwd| vec![root_of(&cwd)])
            .unwrap_or_default();
        Gate {
            roots,
            module_roots,
            follow_symlinks,
            max_bytes: file_limit(max_bytes),
        }
    }

    /// The size limit in bytes.
    pub fn max_bytes(&self) -> u64 {
        file_limit(self.max_bytes)
    }

    /// Whether links that lead out of the roots are followed (`--follow-symlinks`).
    pub fn follow_symlinks(&self) -> bool {
        self.follow_symlinks
    }

    /// Whether `dir` (a directory a module source leads to) may be read from.
    pub fn admits_dir(&self, dir: &Path, area: Area) -> Result<(), String> {
        self.contain(dir, area)
    }

    /// Why `path` may not be read, if it may not: outside the roots (by its written path, and,
    /// unless links are followed, by its real path), or under a system directory.
    fn contain(&self, path: &Path, area: Area) -> Result<(), String> {
        let lexical = absolute(path);
        let roots = self
            .roots
            .iter()
            .chain(self.module_roots.iter().filter(|_| area == Area::Modules));
        let mut inside_lexically = false;
        let mut inside_really = false;
        let real = lexical.canonicalize().ok();
        for (root, canonical) in roots {
            inside_lexically |= lexical.starts_with(root) || lexical.starts_with(canonical);
            if let Some(real) = &real {
                inside_really |= real.starts_with(canonical);
            }
        }
        if !inside_lexically {
            return Err("outside the scanned paths; not read".into());
        }
        if let Some(real) = &real {
            if SYSTEM_DIRS.iter().any(|d| real.starts_with(d)) {
                return Err(format!(
                    "leads into {}; system directories are never read",
                    real.display()
                ));
            }
            if !inside_really && !self.follow_symlinks {
                return Err(
                    "reached through a symbolic link that leads outside the scanned paths; not read (pass --follow-symlinks to read it)"
                        .into(),
                );
            }
        }
        Ok(())
    }

    /// Reads an input file as text, or says why not. Every refusal names no content of the
    /// file, so nothing of a refused file reaches a report.
    pub fn read_text(&self, path: &Path, area: Area) -> Result<String, Diagnostic> {
        let is_link = std::fs::symlink_metadata(path)
            .map_err(|e| unreadable(format!("cannot read file: {e}")))?
            .file_type()
            .is_symlink();
        if is_link && !self.follow_symlinks && !self.link_stays_inside(path, area) {
            return Err(Diagnostic::new(
                Code::SymlinkNotFollowed,
                0,
                SYMLINK_NOT_FOLLOWED,
            ));
        }
        self.contain(path, area).map_err(unreadable)?;
        // A path that was not a link when checked must not be one when opened.
        let no_follow = !is_link && !self.follow_symlinks;
        let bytes = read_bounded(path, self.max_bytes(), no_follow)?;
        decode(bytes)
    }

    /// Whether a symbolic link leads to a regular file inside the scan roots. Reading it reads
    /// nothing the scan could not read anyway, and Terraform follows such links (a shared
    /// `aws.tf` linked into each root module is common), so these are read without
    /// `--follow-symlinks`; links that lead out of the tree, or to directories, are not.
    pub fn link_stays_inside(&self, path: &Path, area: Area) -> bool {
        let Ok(real) = path.canonicalize() else {
            return false;
        };
        let roots = self
            .roots
            .iter()
            .chain(self.module_roots.iter().filter(|_| area == Area::Modules));
        let inside = roots
            .map(|(_, canonical)| canonical)
            .any(|c| real.starts_with(c));
        inside
            && !SYSTEM_DIRS.iter().any(|d| real.starts_with(d))
            && std::fs::metadata(&real).is_ok_and(|m| m.is_file())
    }
}

/// Reads a file the user named on the command line (`--config`, `--policy`, `--catalog`,
/// `--baseline`, `--var-file`): it must be a regular file within the size limit (a FIFO,
/// `/dev/zero` or `/dev/tty` would hang or never end). Errors name the file and what it is for.
pub fn read_user_file(path: &Path, what: &str, max_bytes: u64) -> Result<String, Diagnostic> {
    let bytes = read_bounded(path, file_limit(max_bytes), false)
        .map_err(|e| Diagnostic::usage(format!("{what} {}: {}", path.display(), e.message)))?;
    String::from_utf8(bytes)
        .map_err(|_| Diagnostic::usage(format!("{what} {}: invalid UTF-8", path.display())))
}

/// Checks, before the scan starts, that a file the user named can be read: a regular file
/// within the size limit.
pub fn check_user_file(path: &Path, what: &str, max_bytes: u64) -> Result<(), Diagnostic> {
    let limit = file_limit(max_bytes);
    let file = open_regular(path, false)
        .map_err(|e| Diagnostic::usage(format!("{what} {}: {}", path.display(), e.message)))?;
    match file.metadata() {
        Ok(meta) if meta.len() > limit => Err(Diagnostic::usage(format!(
            "{what} {}: file is {} bytes, larger than the {limit} byte limit (--max-file-size)",
            path.display(),
            meta.len()
        ))),
        _ => Ok(()),
    }
}

/// The first `bytes` bytes of a regular file (not through a symbolic link), to recognise a
/// format by its opening without reading the file; nothing when it cannot be read.
pub fn read_head(path: &Path, bytes: usize) -> Vec<u8> {
    read_bounded_prefix(path, bytes as u64).unwrap_or_default()
}

fn read_bounded_prefix(path: &Path, bytes: u64) -> Result<Vec<u8>, Diagnostic> {
    let file = open_regular(path, true)?;
    let mut head = Vec::with_capacity(bytes as usize);
    file.take(bytes)
        .read_to_end(&mut head)
        .map_err(|e| unreadable(e.to_string()))?;
    Ok(head)
}

/// Opens without following a final symbolic link (when `no_follow`) and without blocking on a
/// FIFO, checks on the open file that it is regular and small enough, and reads at most
/// `limit` bytes even from a file that grows.
fn read_bounded(path: &Path, limit: u64, no_follow: bool) -> Result<Vec<u8>, Diagnostic> {
    let file = open_regular(path, no_follow)?;
    let meta = file
        .metadata()
        .map_err(|e| unreadable(format!("cannot read file: {e}")))?;
    let too_large = |size: u64| {
        Diagnostic::new(
            Code::TooLarge,
            0,
            format!("file is {size} bytes, larger than the {limit} byte limit (--max-file-size)"),
        )
    };
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(format!("cannot read file: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Opens a file for reading, refusing anything but a regular file: without blocking on a FIFO,
/// and (when `no_follow`) without following a final symbolic link.
fn open_regular(path: &Path, no_follow: bool) -> Result<std::fs::File, Diagnostic> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK;
        if no_follow {
            flags |= libc::O_NOFOLLOW;
        }
        options.custom_flags(flags);
    }
    #[cfg(not(unix))]
    let _ = no_follow;
    let file = options.open(path).map_err(|e| match e.raw_os_error() {
        #[cfg(unix)]
        Some(libc::ELOOP) => Diagnostic::new(Code::SymlinkNotFollowed, 0, SYMLINK_NOT_FOLLOWED),
        _ => unreadable(format!("cannot read file: {e}")),
    })?;
    let meta = file
        .metadata()
        .map_err(|e| unreadable(format!("cannot read file: {e}")))?;
    if !meta.is_file() {
        return Err(unreadable("not a regular file".into()));
    }
    Ok(file)
}

/// A file that cannot be read, as a whole (line 0).
fn unreadable(message: String) -> Diagnostic {
    Diagnostic::new(Code::Unreadable, 0, message)
}

/// Bytes as UTF-8 text without a byte order mark, refusing binary and non-UTF-8 content with
/// the line where it starts. A file that starts with a UTF-16 or UTF-32 byte order mark is
/// text in that encoding (Windows PowerShell 5.1 writes `terraform show -json plan.out >
/// plan.json` as UTF-16LE with a BOM) and is decoded first; only without a BOM is a NUL byte
/// "binary".
fn decode(bytes: Vec<u8>) -> Result<String, Diagnostic> {
    if let Some(text) = decode_wide(&bytes) {
        return text;
    }
    if let Some(pos) = bytes.iter().position(|b| *b == 0) {
        let line = bytes[..pos].iter().filter(|b| **b == b'\n').count() + 1;
        return Err(Diagnostic::new(
            Code::Binary,
            line,
            "binary content (NUL byte); not a text file",
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..valid]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Diagnostic::new(Code::Encoding, line, "invalid UTF-8")
    })?;
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text))
}

/// Text in UTF-32 or UTF-16 (either byte order), recognised by its byte order mark; `None`
/// for anything else.
fn decode_wide(bytes: &[u8]) -> Option<Result<String, Diagnostic>> {
    let invalid = |encoding: &str, text_before: &str| {
        Diagnostic::new(
            Code::Encoding,
            text_before.matches('\n').count() + 1,
            format!("invalid {encoding}"),
        )
    };
    let (encoding, width, big_endian, body) = match bytes {
        [0xFF, 0xFE, 0, 0, rest @ ..] => ("UTF-32LE", 4, false, rest),
        [0, 0, 0xFE, 0xFF, rest @ ..] => ("UTF-32BE", 4, true, rest),
        [0xFF, 0xFE, rest @ ..] => ("UTF-16LE", 2, false, rest),
        [0xFE, 0xFF, rest @ ..] => ("UTF-16BE", 2, true, rest),
        _ => return None,
    };
    let mut text = String::with_capacity(body.len() / width);
    if body.len() % width != 0 {
        return Some(Err(invalid(encoding, &text)));
    }
    if width == 4 {
        for unit in body.chunks_exact(4) {
            let unit: [u8; 4] = unit.try_into().expect("chunks of four");
            let code = if big_endian {
                u32::from_be_bytes(unit)
            } else {
                u32::from_le_bytes(unit)
            };
            match char::from_u32(code) {
                Some(c) => text.push(c),
                None => return Some(Err(invalid(encoding, &text))),
            }
        }
        return Some(Ok(text));
    }
    let units = body.chunks_exact(2).map(|unit| {
        let unit = [unit[0], unit[1]];
        if big_endian {
            u16::from_be_bytes(unit)
        } else {
            u16::from_le_bytes(unit)
        }
    });
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => text.push(c),
            Err(_) => return Some(Err(invalid(encoding, &text))),
        }
    }
    Some(Ok(text))
}

/// The directory a scan path stands for, absolute: the path itself when it is a directory,
/// otherwise the directory of the scanned file.
pub fn root_dir(path: &Path) -> PathBuf {
    if path.is_dir() {
        absolute(path)
    } else {
        absolute(path.parent().unwrap_or(Path::new(".")))
    }
}

/// `path` made absolute against the working directory and lexically normalised (`a/../b` is
/// `b`), without touching the file system, so that `..` cannot climb out of a root unseen.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|cwd| cwd.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Whether a path written in a file stays where it is written: relative, with no `..` step.
pub fn is_confined(written: &str) -> bool {
    let path = Path::new(written);
    !path.is_absolute()
        && !written.starts_with('\\')
        && !written.contains(':')
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_paths_that_leave_their_directory() {
        assert!(is_confined("env/prod.tfvars"));
        assert!(is_confined("./baseline.json"));
        assert!(!is_confined("../secrets.tfvars"));
        assert!(!is_confined("env/../../x"));
        assert!(!is_confined("/etc/passwd"));
        assert!(!is_confined("C:\\x"));
    }

    #[test]
    fn utf16_and_utf32_with_a_byte_order_mark_are_text() {
        let text = "{\r\n  \"format_version\": \"1.2\"\r\n}\r\n";
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(le).unwrap(), text);
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(be).unwrap(), text);
        let mut wide = vec![0xFF, 0xFE, 0, 0];
        wide.extend(text.chars().flat_map(|c| (c as u32).to_le_bytes()));
        assert_eq!(decode(wide).unwrap(), text);
        // A lone surrogate on the second line.
        let mut broken = vec![0xFF, 0xFE];
        broken.extend("a\nb".encode_utf16().flat_map(u16::to_le_bytes));
        broken.extend(0xD800u16.to_le_bytes());
        assert_eq!(decode(broken).unwrap_err().line, 2);
        // Without a byte order mark, a NUL byte is still binary.
        assert!(decode(b"a\0b".to_vec()).is_err());
    }

    #[test]
    fn lexical_normalisation_climbs() {
        assert_eq!(absolute(Path::new("/a/b/../c")), PathBuf::from("/a/c"));
        assert_eq!(absolute(Path::new("/a/./b")), PathBuf::from("/a/b"));
    }
}
