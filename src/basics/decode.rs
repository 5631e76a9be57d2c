//! Bytes of a text file → LF-only UTF-8 text: a BOM stripped, CRLF and CR turned into
//! LF, the encoding named when the bytes are not UTF-8, and the characters XML forbids
//! dropped. Articles, templates and `site.toml` are all read through it.

use crate::basics::error::Located;

/// Bytes → text, as [`String::from_utf8`] but validated with SIMD first: std's check is
/// fast for ASCII only, and Arabic text is not.
pub fn utf8(bytes: Vec<u8>) -> Result<String, std::string::FromUtf8Error> {
    match simdutf8::basic::from_utf8(&bytes) {
        // SAFETY: simdutf8 has just validated these bytes as UTF-8.
        Ok(_) => Ok(unsafe { String::from_utf8_unchecked(bytes) }),
        // std finds the position of the first bad byte (for messages).
        Err(_) => String::from_utf8(bytes),
    }
}

/// Bytes → LF-only UTF-8 text, or a message naming what the bytes look like, at the
/// line and column of the first byte that is not UTF-8.
pub fn decode(bytes: Vec<u8>) -> Result<String, Located> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Located::at(1, 1, "file is UTF-16: save it as UTF-8"));
    }
    let text = match utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let bad = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let valid = std::str::from_utf8(&bytes[..bad]).unwrap_or("");
            let (line, col) = crate::basics::config::line_col(valid, bad);
            let guess = if bytes.iter().filter(|b| **b == 0).count() > bytes.len() / 8 {
                "UTF-16 without a byte-order mark"
            } else {
                "a legacy 8-bit encoding such as Windows-1256 or Latin-1"
            };
            return Err(Located::at(
                line,
                col,
                format!("file is not UTF-8 (it looks like {guess}): save it as UTF-8"),
            ));
        }
    };
    if surely_plain(text.as_bytes()) {
        return Ok(text);
    }
    let text = text
        .strip_prefix('\u{FEFF}')
        .map(str::to_owned)
        .unwrap_or(text);
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    };
    Ok(without_control_chars(text))
}

/// Whether `text` (valid UTF-8) needs none of [`decode`]'s changes, from one pass over
/// its bytes (every article goes through it; [`without_control_chars`] asks it too): no carriage return or other C0 control
/// but tab and newline, no DEL, no C1 control (`C2 80..9F`), no BOM (`EF BB BF`) and no
/// U+FFFE/F (`EF BF BE/BF`). `EF BB` and `EF BF` also begin rarer characters (some
/// presentation forms): their text takes the exact checks. Each 64-byte piece is looked
/// at a byte at a time for a byte that can start one of these; only a piece holding one
/// is looked at again, each byte with the next. Both folds have no branches, so the loops
/// vectorize.
fn surely_plain(text: &[u8]) -> bool {
    let Some((&last, _)) = text.split_last() else {
        return true;
    };
    // `&` and `|` rather than `&&` and `||`: no branches, so the loop vectorizes.
    let lone = |x: u8| ((x < 0x20) & (x != b'\t') & (x != b'\n')) | (x == 0x7F);
    // After `C2`, valid UTF-8 has 80..BF: below A0 is a C1 control.
    let pair = |x: u8, y: u8| {
        lone(x) | ((x == 0xC2) & (y < 0xA0)) | ((x == 0xEF) & ((y == 0xBB) | (y == 0xBF)))
    };
    let suspect_in = |a: &[u8], b: &[u8]| {
        a.iter()
            .zip(b)
            .fold(false, |seen, (&x, &y)| seen | pair(x, y))
    };
    // Every suspect pair starts with one of these bytes, which Arabic and Latin text
    // rarely holds (`C2` does begin `«`, `»` and the no-break space): a 64-byte piece
    // without them is passed on one look at each byte, and only the others are
    // looked at in pairs.
    let may_start = |x: u8| lone(x) | (x == 0xC2) | (x == 0xEF);
    let clean = |piece: &[u8; 64]| !piece.iter().fold(false, |seen, &x| seen | may_start(x));
    let pieces = text.chunks_exact(64);
    let tail_at = text.len() - pieces.remainder().len();
    // Whether a suspect pair starts at one of the bytes `from..to`.
    let pair_in = |from: usize, to: usize| {
        let to_next = (to + 1).min(text.len());
        from < to && suspect_in(&text[from..to_next - 1], &text[from + 1..to_next])
    };
    !lone(last)
        && pieces.enumerate().all(|(n, piece)| {
            let piece: &[u8; 64] = piece.try_into().expect("64");
            clean(piece) || !pair_in(n * 64, n * 64 + 64)
        })
        && !pair_in(tail_at, text.len())
}

/// Control characters other than tab and newline, and the noncharacters U+FFFE/U+FFFF,
/// are never text: XML 1.0 forbids them, so one in an article would make every feed
/// showing it malformed. They are dropped on reading (`warraq check` cannot see them
/// either way; the text around them is kept as written).
fn is_forbidden_char(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n') || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// Drops the characters [`decode`] drops from a file from one text that reached warraq
/// another way (a YAML or TOML escape such as `"\x1f"`).
pub fn clean_text(text: &mut String) {
    if text.chars().any(is_forbidden_char) {
        text.retain(|c| !is_forbidden_char(c));
    }
}

fn without_control_chars(text: String) -> String {
    // The scan looks for more than these characters: what it flags is filtered exactly.
    if !surely_plain(text.as_bytes()) {
        text.chars().filter(|&c| !is_forbidden_char(c)).collect()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_and_crlf_become_plain_lf() {
        let t = decode(b"\xEF\xBB\xBF---\r\ntitle: x\r\n---\r\n".to_vec()).unwrap();
        assert_eq!(t, "---\ntitle: x\n---\n");
    }

    #[test]
    fn the_scan_finds_every_forbidden_byte_in_short_text() {
        for x in 0u8..=0x7F {
            for pos in 0..17 {
                let mut bytes = vec![b'a'; 17];
                bytes[pos] = x;
                let text = String::from_utf8(bytes).unwrap();
                let expect = (x < 0x20 && x != b'\t' && x != b'\n') || x == 0x7F;
                assert_eq!(
                    !surely_plain(text.as_bytes()),
                    expect,
                    "byte {x:#x} at {pos}"
                );
            }
        }
        assert!(!surely_plain("نص\u{85}".as_bytes()));
        assert!(surely_plain("نص « » \u{A0}".as_bytes()));
    }

    #[test]
    fn text_without_suspect_bytes_is_left_as_it_is() {
        let places = [0, 1, 62, 63, 64, 65, 99];
        for x in 0u8..0x80 {
            for pos in places {
                let mut bytes = vec![b'a'; 101];
                bytes[pos] = x;
                let expect = !((x < 0x20 && x != b'\t' && x != b'\n') || x == 0x7F);
                assert_eq!(surely_plain(&bytes), expect, "byte {x:#x} at {pos}");
            }
        }
        let plain = "---\ntitle: نص\n---\nنص « » كامل\u{A0}\t2019\n";
        assert!(surely_plain(plain.as_bytes()));
        assert_eq!(decode(plain.as_bytes().to_vec()).unwrap(), plain);
        // Each thing decode changes is seen, wherever it is.
        for changed in [
            "\u{FEFF}", "\r\n", "\r", "\u{85}", "\u{9F}", "\u{FFFE}", "\u{FFFF}", "\u{7F}",
        ] {
            for pos in places {
                let text = format!("{}{changed}{}", "a".repeat(pos), "b".repeat(3));
                assert!(!surely_plain(text.as_bytes()), "{changed:?} at {pos}");
                // (A BOM is dropped only at the start.)
                if pos == 0 || changed != "\u{FEFF}" {
                    assert_ne!(decode(text.as_bytes().to_vec()).unwrap(), text);
                }
            }
        }
        assert!(!surely_plain(b"a\r"));
    }

    #[test]
    fn control_characters_are_dropped() {
        let t = decode(
            "---\ntitle: x\u{1}y\n---\nنص\u{7}\u{0}\u{85}\tكامل\u{FFFF}\n"
                .as_bytes()
                .to_vec(),
        )
        .unwrap();
        assert_eq!(t, "---\ntitle: xy\n---\nنص\tكامل\n");
    }

    #[test]
    fn other_encodings_are_named() {
        let e = decode(vec![0xFF, 0xFE, b'a', 0]).unwrap_err();
        assert!(e.message.contains("UTF-16"), "{e:?}");
        assert_eq!((e.line, e.col), (1, 1));
        let latin1 = b"---\ntitle: caf\xE9\n".to_vec();
        let e = decode(latin1).unwrap_err();
        assert!(e.message.contains("not UTF-8"), "{e:?}");
        assert_eq!((e.line, e.col), (2, 11), "at the `\\xE9`");
    }
}
