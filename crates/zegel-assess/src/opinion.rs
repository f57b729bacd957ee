//! The learned second opinion: how much a message's texts resemble the mail
//! that had to go securely in zegel's labelled sets, by a logistic
//! regression over hashed words and word pairs.
//!
//! The detectors decide from what they can name (a BSN, a diagnosis next
//! to a person); the second opinion reads every word and catches mail the
//! detectors' vocabularies and structures miss ("spoedverwijzing
//! fysiotherapie" for a named employee). It only ever adds a reason to go
//! securely, for external recipients, above a high threshold (see
//! `Policy::second_opinion`). The model, its training data and how to
//! rebuild it: `resources/model/SOURCE.md`.
//!
//! The features are mirrored exactly from the training script
//! (`resources/model/train_second_opinion.py`); a test checks this code's
//! probabilities against the ones the script wrote.

use crate::finding::Location;
use crate::segment::Segment;
use std::sync::LazyLock;

/// The trained model: `ZSO1`, bits (u32), bias (f32), then 2^bits weights
/// (f32), little-endian.
const MODEL_BYTES: &[u8] = include_bytes!("../resources/model/second_opinion.bin");

/// The model read once from [`MODEL_BYTES`].
static MODEL: LazyLock<Model> = LazyLock::new(|| Model::parse(MODEL_BYTES));

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Below this many distinct features (about twenty words) the second
/// opinion says nothing: a few words, one of them a random token (a
/// tracking code, a hash), land in arbitrary buckets and would decide by
/// chance. Among the labelled mail 1 % has fewer; every mail the second
/// opinion caught in the fifth blind set has more than 50.
pub const MIN_FEATURES: usize = 40;

/// What the second opinion says about a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Opinion {
    /// How likely the message is one that must go securely, 0.0 to 1.0.
    pub probability: f32,
    /// The text whose words weighed most towards secure.
    pub location: Location,
}

/// Judges the texts of one message (as extracted, before bodies are split).
/// `None` for a message with fewer than [`MIN_FEATURES`] features.
pub fn judge(segments: &[Segment]) -> Option<Opinion> {
    MODEL.judge(segments)
}

/// A logistic regression over 2^bits hashed features.
struct Model {
    bits: u32,
    bias: f32,
    weights: Vec<f32>,
}

impl Model {
    /// Reads the model; the bytes are compiled in, so a malformed model is
    /// a build defect and panics (the assessment isolates detector panics
    /// and fails closed).
    fn parse(bytes: &[u8]) -> Model {
        assert!(
            bytes.len() >= 12 && &bytes[..4] == b"ZSO1",
            "not a ZSO1 model"
        );
        let word = |at: usize| [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        let bits = u32::from_le_bytes(word(4));
        let bias = f32::from_le_bytes(word(8));
        let weights: Vec<f32> = bytes[12..]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(
            weights.len(),
            1usize << bits,
            "model size does not match its bits"
        );
        Model {
            bits,
            bias,
            weights,
        }
    }

    fn judge(&self, segments: &[Segment]) -> Option<Opinion> {
        let (probability, count, location) = self.score(segments);
        (count >= MIN_FEATURES).then(|| Opinion {
            probability,
            location: location.clone(),
        })
    }

    /// The probability whatever the number of features (the training
    /// script's arithmetic, for the tests).
    #[cfg(test)]
    fn probability(&self, segments: &[Segment]) -> f32 {
        self.score(segments).0
    }

    /// The probability, the number of distinct features and the location
    /// whose features weighed most towards secure.
    fn score<'s>(&self, segments: &'s [Segment]) -> (f32, usize, &'s Location) {
        let mut seen = vec![0u64; (1usize << self.bits).div_ceil(64)];
        let mask = (1u64 << self.bits) - 1;
        let mut count = 0usize;
        let mut total = 0f64;
        let mut best: Option<(f64, &Location)> = None;
        for segment in segments {
            let mut sum = 0f64;
            for_each_feature(&segment.text, |hash| {
                let index = (hash & mask) as usize;
                let (slot, bit) = (index / 64, 1u64 << (index % 64));
                if seen[slot] & bit == 0 {
                    seen[slot] |= bit;
                    count += 1;
                    sum += f64::from(self.weights[index]);
                }
            });
            total += sum;
            if best.is_none_or(|(b, _)| sum > b) {
                best = Some((sum, &segment.location));
            }
        }
        let score = f64::from(self.bias) + total / (count.max(1) as f64).sqrt();
        let probability = (1.0 / (1.0 + (-score).exp())) as f32;
        (probability, count, best.map_or(&Location::Body, |(_, l)| l))
    }
}

/// Calls `found` with the 64-bit FNV-1a hash of every feature of `text`:
/// "u TOKEN" for each token and "b FIRST SECOND" for each adjacent pair.
/// Tokens are maximal runs of alphanumeric characters, lowercased, with
/// ASCII digits replaced by `0`.
fn for_each_feature(text: &str, mut found: impl FnMut(u64)) {
    let mut token = String::new();
    let mut previous = String::new();
    let mut emit = |token: &mut String, previous: &mut String| {
        found(fnv1a(fnv1a(FNV_OFFSET, b"u "), token.as_bytes()));
        if !previous.is_empty() {
            let pair = fnv1a(fnv1a(FNV_OFFSET, b"b "), previous.as_bytes());
            found(fnv1a(fnv1a(pair, b" "), token.as_bytes()));
        }
        std::mem::swap(token, previous);
        token.clear();
    };
    for c in text.chars() {
        // ASCII first: most mail is, and the Unicode tables cost more.
        let alphanumeric = if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            c.is_alphanumeric()
        };
        if alphanumeric {
            if c.is_ascii_digit() {
                token.push('0');
            } else if c.is_ascii() {
                token.push(c.to_ascii_lowercase());
            } else {
                token.extend(c.to_lowercase());
            }
        } else if !token.is_empty() {
            emit(&mut token, &mut previous);
        }
    }
    if !token.is_empty() {
        emit(&mut token, &mut previous);
    }
}

/// Continues a 64-bit FNV-1a hash over `bytes`.
fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash = (hash ^ u64::from(b)).wrapping_mul(FNV_PRIME);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::SegmentRole;

    fn body(text: &str) -> Segment {
        Segment::new(Location::Body, SegmentRole::Body, text)
    }

    #[test]
    fn the_probabilities_match_the_training_script() {
        let vectors: serde_json::Value =
            serde_json::from_str(include_str!("../resources/model/vectors.json")).unwrap();
        let vectors = vectors.as_array().unwrap();
        assert!(vectors.len() >= 5);
        for v in vectors {
            let texts: Vec<Segment> = v["texts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| body(t.as_str().unwrap()))
                .collect();
            let want = v["probability"].as_f64().unwrap() as f32;
            // Below the minimum the public judge says nothing; the model's
            // arithmetic is compared all the same.
            let got = MODEL.probability(&texts);
            assert!(
                (got - want).abs() < 1e-4,
                "{texts:?}: Rust {got}, training script {want}"
            );
        }
    }

    #[test]
    fn features_are_tokens_and_pairs_lowercased_with_digits_as_zero() {
        let mut got = Vec::new();
        for_each_feature("Hé, BSN 123!", |h| got.push(h));
        let hash = |s: &str| fnv1a(FNV_OFFSET, s.as_bytes());
        assert_eq!(
            got,
            vec![
                hash("u hé"),
                hash("u bsn"),
                hash("b hé bsn"),
                hash("u 000"),
                hash("b bsn 000"),
            ]
        );
    }

    #[test]
    fn the_location_is_the_text_that_weighed_most_towards_secure() {
        let segments = vec![
            Segment::new(Location::Subject, SegmentRole::Subject, "Rooster week 12"),
            body(
                "Mevrouw Jansen heeft een decubituswond; de huisarts schreef \
                 flucloxacilline 500 mg 4dd voor. Haar HbA1c was 64 mmol/mol.",
            ),
        ];
        let opinion = judge(&segments).unwrap();
        assert_eq!(opinion.location, Location::Body);
        assert!(opinion.probability > 0.9, "{opinion:?}");
    }

    #[test]
    fn a_few_words_are_too_little_to_judge() {
        // The SMTP load test's mail: a random token decided by chance.
        let short = [
            Segment::new(
                Location::Subject,
                SegmentRole::Subject,
                "load-1213-d7e5a0c07cdc43b6b2b4eb51304329b0",
            ),
            body("Gewoon bericht 1213."),
        ];
        assert!(judge(&short).is_none());
        assert!(judge(&[body(" ,.; ")]).is_none());
    }
}
