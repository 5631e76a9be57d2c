//! A source photo → its published files' bytes: decoded once (within the size limit),
//! turned as its EXIF orientation says, converted to sRGB when its colour profile is
//! another, resized (Lanczos 3, never upscaled) and encoded as lossy WebP and JPEG.
//! Nothing of the source's metadata is carried over: the encoders write pixels only,
//! so no EXIF (GPS position, camera, owner), XMP or comment reaches the site.

use super::{Output, Photo, Problem};
use crate::basics::config::PhotoSettings;
use fast_image_resize as fir;
use image::{DynamicImage, ImageDecoder as _};

/// A decoded photo, 8 bits a channel, in sRGB, as shown (oriented).
pub struct Pixels {
    pub width: u32,
    pub height: u32,
    /// RGBA when the photo has transparency, else RGB.
    pub alpha: bool,
    pub data: Vec<u8>,
}

/// Decodes the photo's file.
pub fn decode(photo: &Photo, settings: &PhotoSettings) -> Result<Pixels, Problem> {
    decode_bytes(&read(photo)?, settings)
}

/// The photo's bytes, as they were when it was probed: its files are named and cached
/// by that content, so a photo changed since is not encoded under the old key.
pub fn read(photo: &Photo) -> Result<Vec<u8>, Problem> {
    let bytes = std::fs::read(&photo.file).map_err(|e| format!("cannot read: {e}"))?;
    if xxhash_rust::xxh3::xxh3_64(&bytes) != photo.hash {
        return Err("changed while warraq was reading it: build again".to_owned());
    }
    Ok(bytes)
}

/// Decodes a photo's bytes (see [`decode`]).
pub fn decode_bytes(bytes: &[u8], settings: &PhotoSettings) -> Result<Pixels, Problem> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("cannot be read: {e}"))?;
    let max_side = 1 << 16;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(max_side);
    limits.max_image_height = Some(max_side);
    // Room for the decoded pixels at 16 bits a channel with alpha, and no more.
    limits.max_alloc = Some(u64::from(settings.max_megapixels) * 1_000_000 * 8 + (64 << 20));
    reader.limits(limits);
    let broken = |e: image::ImageError| format!("cannot be decoded ({e}): is the file whole?");
    let mut decoder = reader.into_decoder().map_err(broken)?;
    let (w, h) = decoder.dimensions();
    super::probe::ensure_size(w, h, settings)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let icc = decoder.icc_profile().ok().flatten();
    let mut img = DynamicImage::from_decoder(decoder).map_err(broken)?;
    img.apply_orientation(orientation);
    let alpha = img.color().has_alpha();
    let (width, height) = (img.width(), img.height());
    let mut data = if alpha {
        img.into_rgba8().into_raw()
    } else {
        img.into_rgb8().into_raw()
    };
    if let Some(icc) = icc {
        to_srgb(&icc, &mut data, alpha);
    }
    Ok(Pixels {
        width,
        height,
        alpha,
        data,
    })
}

/// Converts RGB(A) `data` from the colour profile `icc` to sRGB in place. A profile
/// that cannot be read, is not an RGB one (a CMYK JPEG's, whose pixels the decoder has
/// already made RGB), or is sRGB already leaves the pixels as they are.
fn to_srgb(icc: &[u8], data: &mut [u8], alpha: bool) {
    use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};
    let Ok(profile) = ColorProfile::new_from_slice(icc) else {
        return;
    };
    if profile.color_space != DataColorSpace::Rgb {
        return;
    }
    let srgb = ColorProfile::new_srgb();
    if profile.red_colorant == srgb.red_colorant
        && profile.green_colorant == srgb.green_colorant
        && profile.blue_colorant == srgb.blue_colorant
        && profile.red_trc == srgb.red_trc
    {
        return;
    }
    let layout = if alpha { Layout::Rgba } else { Layout::Rgb };
    let Ok(transform) =
        profile.create_transform_8bit(layout, &srgb, layout, TransformOptions::default())
    else {
        return;
    };
    let source = data.to_vec();
    let _ = transform.transform(&source, data);
}

/// Makes output files of a decoded photo, in order; a size shared by consecutive
/// outputs (a width's WebP and JPEG) is resized once.
pub fn make_all(pixels: &Pixels, outputs: &[Output], quality: u8) -> Result<Vec<Vec<u8>>, Problem> {
    let mut last: Option<((u32, u32), Pixels)> = None;
    let mut made = Vec::with_capacity(outputs.len());
    for &output in outputs {
        let (w, h) = match output {
            Output::Webp(w, h) | Output::Jpeg(w, h) => (w, h),
            Output::Card(w, h) => {
                let crop = centre_crop(pixels.width, pixels.height, w, h);
                made.push(jpeg(&resize(pixels, w, h, Some(crop))?, quality)?);
                continue;
            }
            Output::Copy => return Err("an SVG is copied, not encoded".to_owned()),
        };
        if last.as_ref().is_none_or(|(size, _)| *size != (w, h)) {
            last = Some(((w, h), resize(pixels, w, h, None)?));
        }
        let Some((_, resized)) = &last else { continue };
        made.push(match output {
            Output::Webp(..) => webp(resized, quality)?,
            _ => jpeg(resized, quality)?,
        });
    }
    Ok(made)
}

/// The largest box of `w`×`h`'s shape in a `sw`×`sh` photo, centred: (left, top,
/// width, height).
fn centre_crop(sw: u32, sh: u32, w: u32, h: u32) -> (f64, f64, f64, f64) {
    let (sw, sh, w, h) = (f64::from(sw), f64::from(sh), f64::from(w), f64::from(h));
    let scale = f64::min(sw / w, sh / h);
    let (cw, ch) = (w * scale, h * scale);
    ((sw - cw) / 2.0, (sh - ch) / 2.0, cw, ch)
}

/// `pixels` resized to `w`×`h` (of the `crop` box, when given).
fn resize(
    pixels: &Pixels,
    w: u32,
    h: u32,
    crop: Option<(f64, f64, f64, f64)>,
) -> Result<Pixels, Problem> {
    let kind = if pixels.alpha {
        fir::PixelType::U8x4
    } else {
        fir::PixelType::U8x3
    };
    if w == pixels.width && h == pixels.height && crop.is_none() {
        return Ok(Pixels {
            width: w,
            height: h,
            alpha: pixels.alpha,
            data: pixels.data.clone(),
        });
    }
    let failed = |e: &dyn std::fmt::Display| format!("cannot be resized: {e}");
    let src = fir::images::ImageRef::new(pixels.width, pixels.height, &pixels.data, kind)
        .map_err(|e| failed(&e))?;
    let mut dst = fir::images::Image::new(w, h, kind);
    let mut options = fir::ResizeOptions::new()
        .resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Lanczos3));
    if let Some((left, top, cw, ch)) = crop {
        options = options.crop(left, top, cw, ch);
    }
    fir::Resizer::new()
        .resize(&src, &mut dst, &options)
        .map_err(|e| failed(&e))?;
    Ok(Pixels {
        width: w,
        height: h,
        alpha: pixels.alpha,
        data: dst.into_vec(),
    })
}

fn webp(p: &Pixels, quality: u8) -> Result<Vec<u8>, Problem> {
    let encoder = if p.alpha {
        webp::Encoder::from_rgba(&p.data, p.width, p.height)
    } else {
        webp::Encoder::from_rgb(&p.data, p.width, p.height)
    };
    encoder
        .encode_simple(false, f32::from(quality))
        .map(|m| m.to_vec())
        .map_err(|e| format!("cannot be encoded as WebP: {e:?}"))
}

/// A JPEG (no transparency: a transparent photo is laid on white).
fn jpeg(p: &Pixels, quality: u8) -> Result<Vec<u8>, Problem> {
    let rgb: std::borrow::Cow<'_, [u8]> = if p.alpha {
        let mut out = Vec::with_capacity(p.data.len() / 4 * 3);
        for px in p.data.chunks_exact(4) {
            let a = u32::from(px[3]);
            for &c in &px[..3] {
                out.push(((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8);
            }
        }
        out.into()
    } else {
        (&p.data[..]).into()
    };
    let mut out = Vec::new();
    let (w, h) = (u16::try_from(p.width), u16::try_from(p.height));
    let (Ok(w), Ok(h)) = (w, h) else {
        return Err("is too large to publish as JPEG (65,535 pixels a side at most)".to_owned());
    };
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(&rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| format!("cannot be encoded as JPEG: {e}"))?;
    Ok(out)
}
