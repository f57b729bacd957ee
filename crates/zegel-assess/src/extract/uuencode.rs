//! uuencoded files inside text (`begin 644 lijst.csv` … `end`), as old
//! mail programs and some scanners still send them: many clients show them
//! as attachments. Written by hand (a dozen lines of decoding; no crate
//! needed).

/// The files uuencoded in `text`: (name, bytes), at most `max_bytes` each.
pub(crate) fn files(text: &str, max_bytes: usize) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    if !text.contains("begin ") {
        return out;
    }
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("begin ") else {
            continue;
        };
        let Some((mode, name)) = rest.split_once(' ') else {
            continue;
        };
        if mode.len() < 3 || mode.len() > 4 || !mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            continue;
        }
        let mut data = Vec::new();
        for line in lines.by_ref() {
            let line = line.trim_end_matches('\r');
            if line == "end" {
                break;
            }
            if data.len() < max_bytes {
                decode_line(line, &mut data);
            }
        }
        data.truncate(max_bytes);
        out.push((name.trim().to_string(), data));
    }
    out
}

/// Decodes one uuencoded line (its first character is the byte count).
fn decode_line(line: &str, out: &mut Vec<u8>) {
    let b = line.as_bytes();
    let Some(&first) = b.first() else {
        return;
    };
    let count = (first.wrapping_sub(b' ') & 0x3F) as usize;
    let value = |c: u8| c.wrapping_sub(b' ') & 0x3F;
    let mut produced = 0;
    for chunk in b[1..].chunks(4) {
        if produced >= count {
            break;
        }
        let mut q = [0u8; 4];
        for (i, &c) in chunk.iter().enumerate() {
            q[i] = value(c);
        }
        let bytes = [
            (q[0] << 2) | (q[1] >> 4),
            (q[1] << 4) | (q[2] >> 2),
            (q[2] << 6) | q[3],
        ];
        for &byte in bytes.iter().take(count - produced) {
            out.push(byte);
        }
        produced += 3.min(count - produced);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uuencoded_file_is_found_and_decoded() {
        // `printf 'BSN 111222333\n' | uuencode lijst.txt`
        let text = "Zie bijlage.\nbegin 644 lijst.txt\n.0E-.(#$Q,3(R,C,S,PH`\n`\nend\nGroet";
        let files = files(text, 1000);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "lijst.txt");
        assert_eq!(files[0].1, b"BSN 111222333\n");
        assert!(super::files("begin to see", 100).is_empty());
    }
}
