"""Cognito's side of USER_SRP_AUTH (SRP-6a) for one user, to check the web client's password proofs.

The embedded Cognito (moto 5.2.5) answers USER_SRP_AUTH with random SRP_B and SALT and issues
tokens for any PASSWORD_CLAIM_SIGNATURE, so tests verify proofs here instead: the stored
verifier v = g^x, B = k*v + g^b, S = (A * v^u)^b, the HKDF key and the expected signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass, field

from pycognito.aws_srp import N_HEX, calculate_u, compute_hkdf, hex_hash, hex_to_long, pad_hex

N, G = hex_to_long(N_HEX), 2
K = hex_to_long(hex_hash("00" + N_HEX + "02"))


@dataclass
class SrpServer:
    pool_id: str
    user_id: str
    password: str
    salt: str = "a3c9e1f04b7d2e8c95f60a1b2c3d4e5f"
    small_b: int = field(default_factory=lambda: int.from_bytes(os.urandom(128), "big") % N)
    secret_block: str = field(default_factory=lambda: base64.b64encode(os.urandom(600)).decode())

    @property
    def pool_name(self) -> str:
        return self.pool_id.split("_")[1]

    def private_x(self, password: str) -> int:
        inner = hashlib.sha256(f"{self.pool_name}{self.user_id}:{password}".encode()).hexdigest()
        return hex_to_long(hex_hash(pad_hex(self.salt) + inner))

    @property
    def verifier(self) -> int:
        """What Cognito stores at sign-up: v = g^x."""
        return pow(G, self.private_x(self.password), N)

    @property
    def big_b(self) -> int:
        return (K * self.verifier + pow(G, self.small_b, N)) % N

    def challenge(self, username: str) -> dict[str, str]:
        """The PASSWORD_VERIFIER ChallengeParameters answering InitiateAuth."""
        return {
            "SALT": self.salt,
            "SRP_B": f"{self.big_b:x}",
            "SECRET_BLOCK": self.secret_block,
            "USERNAME": username,
            "USER_ID_FOR_SRP": self.user_id,
        }

    def signature(self, big_a: int, timestamp: str) -> str:
        """The PASSWORD_CLAIM_SIGNATURE that proves the password for this A and timestamp."""
        u = calculate_u(big_a, self.big_b)
        s = pow(big_a * pow(self.verifier, u, N), self.small_b, N)
        key = compute_hkdf(bytes.fromhex(pad_hex(s)), bytes.fromhex(pad_hex(u)))
        message = (
            self.pool_name.encode()
            + self.user_id.encode()
            + base64.b64decode(self.secret_block)
            + timestamp.encode()
        )
        return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()

    def accepts(self, srp_a: str, responses: dict[str, str]) -> bool:
        """Whether RespondToAuthChallenge's ChallengeResponses prove the password."""
        big_a = int(srp_a, 16)
        if big_a % N == 0 or responses.get("USERNAME") != self.user_id:
            return False
        if responses.get("PASSWORD_CLAIM_SECRET_BLOCK") != self.secret_block:
            return False
        expected = self.signature(big_a, responses.get("TIMESTAMP", ""))
        return hmac.compare_digest(expected, responses.get("PASSWORD_CLAIM_SIGNATURE", ""))
