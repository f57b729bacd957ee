//! A structural check of OLE compound files (legacy XLS) before calamine
//! opens them.
//!
//! calamine follows sector chains until their end marker without noticing a
//! loop, so a crafted XLS whose chain points back into itself makes it grow
//! a buffer until memory runs out (found by fuzzing: a 17 KB attachment, a
//! 2 GiB allocation). No maintained crate checks a compound file without
//! also reading it, so this module reads just the allocation tables (MS-CFB
//! §2.2–2.5: header, DIFAT, FAT, mini FAT) and refuses any file where a
//! chain loops, a sector lies outside the file, or the tables are larger
//! than the file can hold. It reads at most the file's own bytes and does no
//! decoding of streams.

/// The compound file signature.
const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
/// Largest regular sector number; larger values are markers.
const MAX_REGULAR: u32 = 0xFFFF_FFFA;
/// End of a chain.
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;

/// Why a compound file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CfbProblem {
    /// Not a compound file, or its header is cut short.
    #[error("not a valid OLE compound file header")]
    Header,
    /// A sector number points outside the file.
    #[error("a sector lies outside the file")]
    OutOfRange,
    /// A chain of sectors loops back into itself.
    #[error("a sector chain loops")]
    Loop,
}

use super::le::u32_at;

/// Checks the allocation tables of a compound file (see the module doc).
pub(crate) fn check(bytes: &[u8]) -> Result<(), CfbProblem> {
    if bytes.len() < 512 || bytes[..8] != SIGNATURE {
        return Err(CfbProblem::Header);
    }
    let shift = u16::from_le_bytes([bytes[0x1E], bytes[0x1F]]);
    if shift != 9 && shift != 12 {
        return Err(CfbProblem::Header);
    }
    let size = 1usize << shift;
    let sectors = bytes.len().saturating_sub(size) / size;
    let sector = |id: u32| -> Result<&[u8], CfbProblem> {
        let id = id as usize;
        if id >= sectors {
            return Err(CfbProblem::OutOfRange);
        }
        Ok(&bytes[(id + 1) * size..(id + 2) * size])
    };
    let header_u32 = |at: usize| u32_at(bytes, at).ok_or(CfbProblem::Header);
    let fat_count = header_u32(0x2C)? as usize;
    let first_minifat = header_u32(0x3C)?;
    let first_difat = header_u32(0x44)?;
    if fat_count > sectors {
        return Err(CfbProblem::OutOfRange);
    }

    // The FAT sectors: 109 in the header, the rest in the DIFAT chain.
    let mut fat_sectors: Vec<u32> = (0..109)
        .filter_map(|i| u32_at(bytes, 0x4C + 4 * i))
        .take(fat_count)
        .collect();
    let mut next = first_difat;
    let mut seen = 0usize;
    while fat_sectors.len() < fat_count && next <= MAX_REGULAR {
        seen += 1;
        if seen > sectors {
            return Err(CfbProblem::Loop);
        }
        let s = sector(next)?;
        let per = size / 4 - 1;
        fat_sectors.extend((0..per).filter_map(|i| u32_at(s, 4 * i)));
        next = u32_at(s, 4 * per).unwrap_or(END_OF_CHAIN);
    }
    fat_sectors.truncate(fat_count);

    let mut fat = Vec::with_capacity(fat_count * size / 4);
    for &id in &fat_sectors {
        let s = sector(id)?;
        fat.extend((0..size / 4).filter_map(|i| u32_at(s, 4 * i)));
    }
    if has_loop(&fat) {
        return Err(CfbProblem::Loop);
    }

    // The mini FAT lives in a FAT chain, which is now known to end.
    let mut minifat = Vec::new();
    let mut next = first_minifat;
    while next <= MAX_REGULAR {
        let s = sector(next)?;
        minifat.extend((0..size / 4).filter_map(|i| u32_at(s, 4 * i)));
        next = fat.get(next as usize).copied().unwrap_or(END_OF_CHAIN);
    }
    if has_loop(&minifat) {
        return Err(CfbProblem::Loop);
    }
    Ok(())
}

/// Whether following `table` (entry `i` names the next element, or a
/// marker above [`MAX_REGULAR`] or past the end) can come back to an element
/// already on the path: a loop. Linear time: every element is finished once.
fn has_loop(table: &[u32]) -> bool {
    // 0: not visited, 1: on the current path, 2: known to end.
    let mut state = vec![0u8; table.len()];
    let mut path = Vec::new();
    for start in 0..table.len() {
        let mut at = start;
        while state[at] == 0 {
            state[at] = 1;
            path.push(at);
            let n = table[at];
            if n > MAX_REGULAR || n as usize >= table.len() {
                break;
            }
            at = n as usize;
        }
        if state[at] == 1 && table[at] <= MAX_REGULAR && (table[at] as usize) < table.len() {
            return true;
        }
        for p in path.drain(..) {
            state[p] = 2;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loops_are_found_in_linear_time() {
        assert!(!has_loop(&[1, 2, END_OF_CHAIN, 2]));
        assert!(has_loop(&[1, 2, 0]));
        assert!(has_loop(&[0]));
        assert!(has_loop(&[END_OF_CHAIN, 2, 3, 1]));
        assert!(!has_loop(&[7, 0xFFFF_FFFF, END_OF_CHAIN]));
        let long: Vec<u32> = (1..=1_000_000).chain([END_OF_CHAIN]).collect();
        assert!(!has_loop(&long));
    }

    /// A minimal compound file: header, one FAT sector (sector 0), one
    /// directory sector (sector 1), with `fat` as the first FAT entries.
    fn compound(fat: &[u32]) -> Vec<u8> {
        let mut f = vec![0u8; 512 * 3];
        f[..8].copy_from_slice(&SIGNATURE);
        f[0x1E..0x20].copy_from_slice(&9u16.to_le_bytes());
        f[0x2C..0x30].copy_from_slice(&1u32.to_le_bytes());
        f[0x30..0x34].copy_from_slice(&1u32.to_le_bytes());
        f[0x3C..0x40].copy_from_slice(&END_OF_CHAIN.to_le_bytes());
        f[0x44..0x48].copy_from_slice(&END_OF_CHAIN.to_le_bytes());
        for i in 0..109 {
            f[0x4C + 4 * i..0x50 + 4 * i].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        }
        f[0x4C..0x50].copy_from_slice(&0u32.to_le_bytes());
        for i in 0..128 {
            let v = fat.get(i).copied().unwrap_or(0xFFFF_FFFF);
            f[512 + 4 * i..516 + 4 * i].copy_from_slice(&v.to_le_bytes());
        }
        f
    }

    #[test]
    fn sound_tables_pass_and_loops_or_strays_are_refused() {
        assert_eq!(check(&compound(&[0xFFFF_FFFD, END_OF_CHAIN])), Ok(()));
        assert_eq!(check(&compound(&[0xFFFF_FFFD, 1])), Err(CfbProblem::Loop));
        let mut stray = compound(&[0xFFFF_FFFD, END_OF_CHAIN]);
        stray[0x4C..0x50].copy_from_slice(&40u32.to_le_bytes());
        assert_eq!(check(&stray), Err(CfbProblem::OutOfRange));
        assert_eq!(check(b"not a compound file"), Err(CfbProblem::Header));
        let mut cut = compound(&[]);
        cut[0x2C..0x30].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(check(&cut), Err(CfbProblem::OutOfRange));
    }
}
