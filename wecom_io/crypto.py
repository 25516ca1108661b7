"""WeCom's encryption of callbacks (企业微信 加解密方案), as its documentation specifies:

- the signature is the SHA-1, in hex, of the token, the timestamp, the nonce and the
  ciphertext, sorted and joined;
- the key is `EncodingAESKey` (43 characters) decoded from Base64 with one `=` added: 32
  bytes, for AES-256 in CBC mode with the key's first 16 bytes as the IV;
- the plaintext is 16 random bytes, the message's length (4 bytes, big-endian), the
  message, and the receiver's id (the corp id), padded (PKCS#7) to 32-byte blocks;
- the ciphertext travels in Base64.

The AES is `cryptography`'s; nothing here is hand-rolled but the framing."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeCom pads to 32-byte blocks, not AES's 16
KEY_CHARACTERS = 43


class Refused(Exception):
    """A callback that is not WeCom's, or not for us; `reason` says which check failed."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WeComCrypto:
    token: str
    key: bytes
    receiver: str  # the corp id (CorpID): the last field of every plaintext

    @classmethod
    def from_settings(cls, token: str, encoding_aes_key: str, corp_id: str) -> WeComCrypto:
        """From the app's settings; `ValueError` for a key that is not WeCom's shape."""
        if len(encoding_aes_key) != KEY_CHARACTERS:
            raise ValueError(f"WECOM_AES_KEY must be {KEY_CHARACTERS} characters")
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error:
            raise ValueError("WECOM_AES_KEY is not Base64") from None
        if not token or not corp_id:
            raise ValueError("WECOM_TOKEN and WECOM_CORP_ID are needed")
        return cls(token=token, key=key, receiver=corp_id)

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        joined = "".join(sorted([self.token, timestamp, nonce, encrypted]))
        return hashlib.sha1(joined.encode("utf-8")).hexdigest()

    def check_signature(self, signature: str, timestamp: str, nonce: str,
                        encrypted: str) -> None:
        expected = self.signature(timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected, signature.lower()):
            raise Refused("signature")

    def encrypt(self, message: bytes, random: bytes | None = None) -> str:
        """The message as WeCom sends it (the stand-in posts callbacks this way)."""
        random = os.urandom(16) if random is None else random
        plain = random + struct.pack(">I", len(message)) + message + self.receiver.encode()
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> bytes:
        """The message inside; `Refused` for anything that is not a ciphertext of ours."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise Refused("ciphertext") from None
        if not raw or len(raw) % 16:
            raise Refused("ciphertext")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(raw) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad or len(plain) < 20 + pad:
            raise Refused("padding")
        body = plain[16:-pad]
        (length,) = struct.unpack(">I", body[:4])
        if length > len(body) - 4:
            raise Refused("length")
        message, receiver = body[4:4 + length], body[4 + length:]
        if not hmac.compare_digest(receiver, self.receiver.encode()):
            raise Refused("receiver")
        return message

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))
