//! A streaming transcoder: reads bytes in a [`Charset`] and hands out UTF-8, in constant
//! memory, refusing malformed input instead of replacing it.

use std::io::{self, BufRead, Read};

use encoding_rs::{Decoder, DecoderResult};

use crate::flat_file::Charset;

/// Size of the decoded-output buffer.
const OUT: usize = 16 * 1024;

/// Reads `inner` in `charset` and yields UTF-8 (a UTF-8 byte order mark is dropped).
pub struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    out: Box<[u8]>,
    start: usize,
    end: usize,
    finished: bool,
}

impl<R: BufRead> DecodingReader<R> {
    /// Decodes `inner`, which is in `charset`.
    pub fn new(inner: R, charset: Charset) -> Self {
        Self {
            inner,
            decoder: charset.encoding().new_decoder_with_bom_removal(),
            out: vec![0; OUT].into_boxed_slice(),
            start: 0,
            end: 0,
            finished: false,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        while self.start == self.end && !self.finished {
            let src = self.inner.fill_buf()?;
            let last = src.is_empty();
            let (result, read, written) =
                self.decoder
                    .decode_to_utf8_without_replacement(src, &mut self.out, last);
            self.inner.consume(read);
            self.start = 0;
            self.end = written;
            match result {
                DecoderResult::InputEmpty => self.finished = last,
                DecoderResult::OutputFull => {}
                DecoderResult::Malformed(..) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "bytes that are not valid {} (is the charset right?)",
                            self.decoder.encoding().name()
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

impl<R: BufRead> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.refill()?;
        let n = buf.len().min(self.end - self.start);
        buf[..n].copy_from_slice(&self.out[self.start..self.start + n]);
        self.start += n;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for DecodingReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.refill()?;
        Ok(&self.out[self.start..self.end])
    }

    fn consume(&mut self, amt: usize) {
        self.start = (self.start + amt).min(self.end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8], charset: Charset, chunk: usize) -> io::Result<String> {
        let inner = io::BufReader::with_capacity(chunk, bytes);
        let mut out = String::new();
        DecodingReader::new(inner, charset).read_to_string(&mut out)?;
        Ok(out)
    }

    #[test]
    fn characters_split_across_reads_are_joined() {
        let sjis = b"\x93\xfa\x96\x7b\x87\x40\xfb\xfc";
        for chunk in 1..4 {
            assert_eq!(
                decode_all(sjis, Charset::ShiftJis, chunk).unwrap(),
                "日本①髙"
            );
        }
        assert_eq!(
            decode_all(b"\x84x\x93 \x80", Charset::Windows1252, 1).unwrap(),
            "\u{201e}x\u{201c} €"
        );
        assert_eq!(
            decode_all("\u{feff}ä".as_bytes(), Charset::Utf8, 1).unwrap(),
            "ä"
        );
        let err = decode_all(b"ok\x93", Charset::ShiftJis, 2).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(decode_all(b"\xff", Charset::Utf8, 8).is_err());
    }
}
