"""A backup's table of contents, its signature, and the checks a file passes before restore.

The manifest lists each table with its columns, row count and SHA-256, and is signed with
HMAC-SHA256 under a key derived from the secret key: without the key nobody can make a
backup that restores, and a backup restores only where its key is known.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import zipfile
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ewarung.errors import N_, AppError
from ewarung.installation import derive_key, key_fingerprint, short
from ewarung.migrate import known_revision

FORMAT = "ewarung-backup"
#: 2: signed manifests (1 was checked with a plain SHA-256 anyone can recompute)
VERSION = 2
SIGNATURE_LABEL = b"e-Warung backup signature v1"
MANIFEST = "manifest.json"


class BackupRejected(AppError):
    code = "backup_rejected"
    status = 400
    template = N_("Berkas cadangan ditolak: %(reason)s")


class TableMeta(BaseModel):
    """One table in the backup."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    rows: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    columns: list[str] = Field(min_length=1)

    @property
    def member(self) -> str:
        """Its file inside the zip."""
        return f"tables/{self.name}.jsonl"


class Manifest(BaseModel):
    """What a backup holds, at which schema revision, made under which key."""

    model_config = ConfigDict(extra="forbid")

    format: str
    version: int
    schema_revision: str
    created_at: str
    source: str
    key_fingerprint: str
    tables: list[TableMeta]
    signature: str


def sign_manifest(manifest: dict[str, Any], secret_key: str) -> str:
    """The manifest's signature: HMAC-SHA256 of its canonical JSON without the signature."""
    body = {k: v for k, v in manifest.items() if k != "signature"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(derive_key(secret_key, SIGNATURE_LABEL), text.encode(),
                    hashlib.sha256).hexdigest()


def _refuse(reason: str) -> BackupRejected:
    return BackupRejected(reason=reason)


def read_manifest(zf: zipfile.ZipFile, secret_key: str) -> Manifest:
    """The manifest, once it is known to be ours, unchanged and of a revision we know."""
    try:
        raw = json.loads(zf.read(MANIFEST))
    except (KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise _refuse(N_("bukan berkas cadangan e-Warung")) from exc
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise _refuse(N_("bukan berkas cadangan e-Warung"))
    if raw.get("version") != VERSION:
        raise _refuse(N_("format cadangan versi %s tidak didukung (versi ini membaca versi %s); "
                         "buat cadangan baru dengan `ewarung backup`")
                      % (str(raw.get("version"))[:20], VERSION))
    ours = key_fingerprint(secret_key)
    theirs = str(raw.get("key_fingerprint", ""))
    if theirs != ours:
        raise _refuse(N_("cadangan ini dibuat dengan kunci rahasia lain (sidik %s; kunci sekarang "
                         "bersidik %s). Pulihkan dengan kunci toko asal: pasang berkas secret_key "
                         "toko itu di folder data, atau isi EWARUNG_SECRET_KEY dengan kunci itu")
                      % (short(theirs) or "-", short(ours)))
    if not hmac.compare_digest(str(raw.get("signature", "")), sign_manifest(raw, secret_key)):
        raise _refuse(N_("tanda tangan tidak cocok: berkas telah diubah sesudah dibuat"))
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as exc:
        raise _refuse(N_("daftar isi cadangan rusak")) from exc
    if not known_revision(manifest.schema_revision):
        raise _refuse(N_("revisi skema %s tidak dikenal: cadangan dibuat oleh versi e-Warung yang "
                         "lebih baru; perbarui e-Warung dulu, lalu pulihkan")
                      % manifest.schema_revision[:40])
    names = [t.name for t in manifest.tables]
    if len(set(names)) != len(names):
        raise _refuse(N_("daftar isi cadangan rusak"))
    return manifest


def check_members(zf: zipfile.ZipFile, manifest: Manifest) -> None:
    """Every table's file is there, nothing else is, and each matches its checksum and rows."""
    expected = {MANIFEST} | {t.member for t in manifest.tables}
    if set(zf.namelist()) != expected:
        raise _refuse(N_("isi berkas tidak sesuai daftar isi"))
    for meta in manifest.tables:
        digest, n = hashlib.sha256(), 0
        try:
            with zf.open(meta.member) as member:
                for line in member:
                    digest.update(line)
                    n += 1
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise _refuse(N_("isi berkas rusak")) from exc
        if digest.hexdigest() != meta.sha256 or n != meta.rows:
            raise _refuse(N_("checksum tabel %s tidak cocok, berkas rusak") % meta.name)


def verify(zf: zipfile.ZipFile, secret_key: str) -> Manifest:
    """The checks a backup passes before anything is restored from it."""
    manifest = read_manifest(zf, secret_key)
    check_members(zf, manifest)
    return manifest
