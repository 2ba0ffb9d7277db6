//! A small PNG encoder for RGB images.
//!
//! plotters can only save a bitmap to a path whose extension names the
//! format, which rules out writing to `<name>.tmp` and renaming. This encoder
//! turns the raw buffer into PNG bytes so that the caller decides where they
//! go. Each row is filtered (Sub or Up, whichever leaves more zero bytes) and
//! compressed with fixed-Huffman deflate using runs (distance-1 matches),
//! which suits plots: large flat areas and thin lines.

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
const MAX_RUN: usize = 258;
const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const CRC_TABLE: [u32; 256] = crc_table();

/// Encodes an 8-bit RGB buffer (`width * height * 3` bytes, row-major) as PNG.
pub fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    let stride = width as usize * 3;
    let mut out = SIGNATURE.to_vec();
    push_chunk(&mut out, b"IHDR", &header);
    push_chunk(&mut out, b"IDAT", &zlib(&filter_rows(rgb, stride)));
    push_chunk(&mut out, b"IEND", &[]);
    out
}

fn filter_rows(rgb: &[u8], stride: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(rgb.len() + rgb.len() / stride.max(1) + 1);
    let zero = vec![0u8; stride];
    let mut previous: &[u8] = &zero;
    for row in rgb.chunks(stride) {
        let sub: Vec<u8> = (0..row.len())
            .map(|i| row[i].wrapping_sub(if i >= 3 { row[i - 3] } else { 0 }))
            .collect();
        let up: Vec<u8> = row
            .iter()
            .zip(previous)
            .map(|(a, b)| a.wrapping_sub(*b))
            .collect();
        let zeros = |v: &[u8]| v.iter().filter(|b| **b == 0).count();
        let (kind, bytes) = if zeros(&up) > zeros(&sub) {
            (2, up)
        } else {
            (1, sub)
        };
        out.push(kind);
        out.extend_from_slice(&bytes);
        previous = row;
    }
    out
}

fn push_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut bits = BitWriter::default();
    bits.bytes.extend_from_slice(&[0x78, 0x01]);
    bits.put(1, 1); // final block
    bits.put(1, 2); // fixed Huffman codes
    let mut i = 0;
    while i < data.len() {
        symbol(&mut bits, u16::from(data[i]));
        let run = data[i + 1..]
            .iter()
            .take(MAX_RUN)
            .take_while(|b| **b == data[i])
            .count();
        if run >= 3 {
            run_of(&mut bits, run);
            i += run;
        }
        i += 1;
    }
    symbol(&mut bits, 256);
    let mut out = bits.finish();
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

/// Emits a match of `len` bytes at distance 1.
fn run_of(bits: &mut BitWriter, len: usize) {
    let code = LENGTH_BASE
        .iter()
        .rposition(|b| usize::from(*b) <= len)
        .unwrap_or(0);
    symbol(bits, 257 + code as u16);
    let extra = u32::from(LENGTH_EXTRA[code]);
    bits.put(len as u32 - u32::from(LENGTH_BASE[code]), extra);
    bits.put_code(0, 5); // distance code 0 = distance 1
}

/// Writes a literal/length symbol with the fixed Huffman code of RFC 1951.
fn symbol(bits: &mut BitWriter, s: u16) {
    let s = u32::from(s);
    match s {
        0..=143 => bits.put_code(0x30 + s, 8),
        144..=255 => bits.put_code(0x190 + s - 144, 9),
        256..=279 => bits.put_code(s - 256, 7),
        _ => bits.put_code(0xc0 + s - 280, 8),
    }
}

#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    acc: u64,
    count: u32,
}

impl BitWriter {
    /// Appends the `n` low bits of `value`, least significant first.
    fn put(&mut self, value: u32, n: u32) {
        self.acc |= u64::from(value) << self.count;
        self.count += n;
        while self.count >= 8 {
            self.bytes.push(self.acc as u8);
            self.acc >>= 8;
            self.count -= 8;
        }
    }

    /// Appends a Huffman code, most significant bit first.
    fn put_code(&mut self, code: u32, n: u32) {
        self.put(code.reverse_bits() >> (32 - n), n);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.bytes.push(self.acc as u8);
        }
        self.bytes
    }
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(4096) {
        for byte in chunk {
            a += u32::from(*byte);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

fn crc32(data: &[u8]) -> u32 {
    !data.iter().fold(!0u32, |c, b| {
        CRC_TABLE[((c ^ u32::from(*b)) & 0xff) as usize] ^ (c >> 8)
    })
}

const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
}

#[cfg(test)]
mod tests {
    use super::encode_rgb;

    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("PNG header");
        let mut buf = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut buf).expect("PNG data");
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    #[test]
    fn round_trips_through_a_decoder() {
        let (w, h) = (37u32, 23u32);
        let rgb: Vec<u8> = (0..w * h * 3)
            .map(|i| {
                if i % 97 < 60 {
                    255
                } else {
                    (i * 31 % 251) as u8
                }
            })
            .collect();
        assert_eq!(decode(&encode_rgb(w, h, &rgb)), (w, h, rgb));
    }

    #[test]
    fn compresses_flat_images() {
        // The filtered stream is 300 rows of 1 + 1,200 bytes. Without runs
        // each byte costs a literal of 8 or 9 bits (over 360 kB); with them a
        // row is a filter byte, one literal and five runs (about 4.5 kB in all).
        let rgb = vec![255u8; 400 * 300 * 3];
        let size = encode_rgb(400, 300, &rgb).len();
        assert!(size < 20_000, "{size} bytes");
    }
}
