"""Generate the default announcement clips (synthesised chime, espeak-ng speech) and manifest."""

from __future__ import annotations

import argparse
import json
import math
import operator
import shutil
import subprocess
import sys
import tempfile
import wave
from array import array
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from displays.voice import ALL_CLIP_IDS, CLIP_TEXT

Source = Literal["generated-chime", "espeak-ng", "missing", "office-upload"]
# ok: fit to play; digits-ok: espeak-ng's Thai voice reading an Arabic digit, which it does
# acceptably; letters-ok: English letter names, which is how Thai speakers read letters;
# poor: espeak-ng's Thai voice reading Thai script, which it mostly mispronounces.
Quality = Literal["ok", "digits-ok", "letters-ok", "poor", "missing"]

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
# Every clip is mono 16-bit at 16 kHz: wideband speech quality, and the default set stays small
# enough to ship in the package (espeak-ng writes 22.05 kHz, so its output is resampled).
SAMPLE_RATE = 16000
SAMPLE_WIDTH = 2
# Words per minute; espeak-ng's default 175 is hurried for elderly listeners in a noisy hall.
SPEECH_RATE_WPM = 150
ESPEAK_TIMEOUT_S = 30
# Silence espeak-ng pads around speech would put long gaps between concatenated clips.
SILENCE_THRESHOLD = 300
KEEP_SILENCE_MS = 30
RESAMPLE_HALF_TAPS = 16


@dataclass(frozen=True)
class ClipEntry:
    file: str | None
    source: Source
    quality: Quality
    duration_ms: int | None
    text: str


@dataclass(frozen=True)
class SpeechInput:
    voice: str
    text: str
    quality: Quality


def speech_input(clip_id: str) -> SpeechInput:
    """What to hand espeak-ng for a clip, and how good the result can be expected to be."""
    spoken = CLIP_TEXT[clip_id]
    if clip_id.startswith("digit_"):
        # The Thai voice reads Arabic digits acceptably but mangles the same words in Thai script.
        return SpeechInput("th", clip_id.removeprefix("digit_"), "digits-ok")
    if clip_id.startswith("letter_"):
        # The Thai voice hands Latin letters to its English voice: "bee", close to บี.
        return SpeechInput("th", clip_id.removeprefix("letter_").upper(), "letters-ok")
    if clip_id.startswith("en_"):
        return SpeechInput("en", spoken, "ok")
    return SpeechInput("th", spoken, "poor")


def chime_samples(sample_rate: int = SAMPLE_RATE) -> array[int]:
    """Three soft rising bell tones (G4, C5, E5), each decaying, as 16-bit samples."""
    notes_hz = (392.00, 523.25, 659.25)
    note_gap_s, decay_s, total_s = 0.32, 0.40, 1.7
    attack_s, fade_out_s = 0.012, 0.08
    # A little second and third harmonic makes a bell rather than a test tone.
    partials = ((1, 1.0), (2, 0.22), (3, 0.06))
    n = int(total_s * sample_rate)
    mix = [0.0] * n
    for index, freq in enumerate(notes_hz):
        start = int(index * note_gap_s * sample_rate)
        for i in range(n - start):
            t = i / sample_rate
            # A short attack ramp avoids the click of a sine starting at full level.
            envelope = min(1.0, t / attack_s) * math.exp(-t / decay_s)
            tone = sum(a * math.sin(2 * math.pi * freq * k * t) for k, a in partials)
            mix[start + i] += envelope * tone
    peak = max(abs(s) for s in mix)
    # Well below full scale: the chime precedes speech and must not startle.
    gain = 0.55 * 32767 / peak
    fade_start = n - int(fade_out_s * sample_rate)
    samples = array("h")
    for i, s in enumerate(mix):
        fade = min(1.0, (n - i) / (n - fade_start)) if i >= fade_start else 1.0
        samples.append(round(s * gain * fade))
    return samples


def write_wav(path: Path, samples: array[int], sample_rate: int) -> None:
    data = array("h", samples)
    if sys.byteorder == "big":
        data.byteswap()  # WAV is little-endian
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(SAMPLE_WIDTH)
        out.setframerate(sample_rate)
        out.writeframes(data.tobytes())


def read_wav(path: Path) -> tuple[array[int], int]:
    """Mono 16-bit samples and sample rate; ValueError for any other format."""
    with wave.open(str(path), "rb") as wav:
        if wav.getnchannels() != 1 or wav.getsampwidth() != SAMPLE_WIDTH:
            raise ValueError(f"{path}: expected mono 16-bit WAV")
        rate = wav.getframerate()
        data = array("h")
        data.frombytes(wav.readframes(wav.getnframes()))
    if sys.byteorder == "big":
        data.byteswap()
    return data, rate


def trim_silence(samples: array[int], sample_rate: int) -> array[int]:
    loud = [i for i, s in enumerate(samples) if abs(s) > SILENCE_THRESHOLD]
    if not loud:
        return array("h")
    keep = int(KEEP_SILENCE_MS * sample_rate / 1000)
    return samples[max(0, loud[0] - keep) : min(len(samples), loud[-1] + keep + 1)]


def resample(samples: array[int], from_rate: int, to_rate: int) -> array[int]:
    """Band-limited rational resampling with a Blackman-windowed sinc kernel."""
    if from_rate == to_rate:
        return array("h", samples)
    g = math.gcd(from_rate, to_rate)
    up, down = to_rate // g, from_rate // g
    half = RESAMPLE_HALF_TAPS
    # Cut a little below the lower Nyquist frequency so the transition band does not alias.
    cutoff = 0.45 * min(1.0, to_rate / from_rate)  # cycles per input sample

    def kernel(d: float) -> float:
        x = 2 * cutoff * d
        sinc = 1.0 if x == 0 else math.sin(math.pi * x) / (math.pi * x)
        w = (d + half) / (2 * half)  # 0..1 across the window
        blackman = 0.42 - 0.5 * math.cos(2 * math.pi * w) + 0.08 * math.cos(4 * math.pi * w)
        return sinc * blackman

    # Output sample m sits at input position m * down / up, whose fraction repeats every `up`
    # outputs, so one row of taps per fraction is computed once.
    phases: list[list[float]] = []
    for p in range(up):
        row = [kernel(k - half + 1 - p / up) for k in range(2 * half)]
        total = sum(row)
        phases.append([c / total for c in row])  # unit gain at DC
    padded = [0] * half + list(samples) + [0] * half
    out = array("h")
    for m in range(len(samples) * up // down):
        base, p = divmod(m * down, up)
        value = sum(map(operator.mul, phases[p], padded[base + 1 : base + 1 + 2 * half]))
        out.append(max(-32768, min(32767, round(value))))
    return out


def duration_ms(path: Path) -> int:
    with wave.open(str(path), "rb") as wav:
        return round(wav.getnframes() * 1000 / wav.getframerate())


def speak(espeak: str, spec: SpeechInput, path: Path) -> bool:
    """Write espeak-ng's reading of `spec` to `path`, trimmed; False if it produced nothing."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        command = [espeak, "-v", spec.voice, "-s", str(SPEECH_RATE_WPM), "-w", str(raw), spec.text]
        try:
            result = subprocess.run(command, capture_output=True, timeout=ESPEAK_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired):
            return False
        if result.returncode != 0 or not raw.exists():
            return False
        try:
            samples, rate = read_wav(raw)
        except (ValueError, EOFError, wave.Error):
            return False
    trimmed = trim_silence(samples, rate)
    if not trimmed:
        return False
    write_wav(path, resample(trimmed, rate, SAMPLE_RATE), SAMPLE_RATE)
    return True


def espeak_version(espeak: str | None) -> str | None:
    if espeak is None:
        return None
    try:
        result = subprocess.run(
            [espeak, "--version"], capture_output=True, text=True, timeout=ESPEAK_TIMEOUT_S
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    # Drop the "Data at: /usr/lib/..." part: the manifest should not vary with the install path.
    return result.stdout.split("Data at:")[0].strip() or None


def _office_uploads(out_dir: Path) -> dict[str, ClipEntry]:
    """Entries an office recorded itself, which regeneration must never overwrite."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        clips = manifest["clips"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    kept: dict[str, ClipEntry] = {}
    for clip_id, entry in clips.items():
        if entry.get("source") != "office-upload" or clip_id not in CLIP_TEXT:
            continue
        if (out_dir / str(entry.get("file"))).is_file():
            kept[clip_id] = ClipEntry(
                file=entry["file"],
                source="office-upload",
                quality=entry.get("quality", "ok"),
                duration_ms=entry.get("duration_ms"),
                text=CLIP_TEXT[clip_id],
            )
    return kept


def build_clips(
    out_dir: Path, *, espeak: str | None, clip_ids: Iterable[str] = ALL_CLIP_IDS
) -> dict[str, ClipEntry]:
    """Write the clips and manifest.json into `out_dir`; `espeak` is the espeak-ng path or None."""
    out_dir.mkdir(parents=True, exist_ok=True)
    kept = _office_uploads(out_dir)
    entries: dict[str, ClipEntry] = {}
    for clip_id in clip_ids:
        if clip_id in kept:
            entries[clip_id] = kept[clip_id]
            continue
        path = out_dir / f"{clip_id}.wav"
        text = CLIP_TEXT[clip_id]
        if clip_id == "chime":
            write_wav(path, chime_samples(), SAMPLE_RATE)
            entries[clip_id] = ClipEntry(
                path.name, "generated-chime", "ok", duration_ms(path), text
            )
            continue
        spec = speech_input(clip_id)
        if espeak is not None and speak(espeak, spec, path):
            entries[clip_id] = ClipEntry(
                path.name, "espeak-ng", spec.quality, duration_ms(path), text
            )
        else:
            # A stale file from an earlier run would contradict the manifest.
            path.unlink(missing_ok=True)
            entries[clip_id] = ClipEntry(None, "missing", "missing", None, text)
    manifest = {
        "format": MANIFEST_FORMAT,
        "generator": "python -m displays.make_clips",
        "espeak_ng": espeak_version(espeak),
        "clips": {clip_id: asdict(entry) for clip_id, entry in entries.items()},
    }
    (out_dir / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m displays.make_clips", description=__doc__)
    parser.add_argument("out_dir", type=Path, help="folder for the WAV files and manifest.json")
    parser.add_argument(
        "--espeak", default=shutil.which("espeak-ng"), help="espeak-ng executable (default: PATH)"
    )
    args = parser.parse_args(argv)
    entries = build_clips(args.out_dir, espeak=args.espeak, clip_ids=ALL_CLIP_IDS)
    by_quality: dict[str, int] = {}
    for entry in entries.values():
        by_quality[entry.quality] = by_quality.get(entry.quality, 0) + 1
    total_bytes = sum(p.stat().st_size for p in args.out_dir.glob("*.wav"))
    summary = ", ".join(f"{count} {quality}" for quality, count in sorted(by_quality.items()))
    print(
        f"{len(entries)} clips in {args.out_dir} ({summary}); {total_bytes / 1024:.0f} KiB of WAV"
    )
    if args.espeak is None:
        print("espeak-ng not found: only the chime was generated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
