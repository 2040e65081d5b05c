package org.mailroom.store.crypt.internal;

import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;

/** The algorithms that encrypt message bodies, with their code in the envelope header. */
enum DataAlgorithm {
    SM4_GCM(1, "SM4-GCM", 16),
    AES_256_GCM(2, "AES-256-GCM", 32);

    final int code;
    final String displayName;
    final int keyOctets;

    DataAlgorithm(int code, String displayName, int keyOctets) {
        this.code = code;
        this.displayName = displayName;
        this.keyOctets = keyOctets;
    }

    static DataAlgorithm byName(String name) {
        for (DataAlgorithm a : values()) {
            if (a.displayName.equalsIgnoreCase(name.trim())) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown algorithm " + name + " (SM4-GCM or AES-256-GCM)");
    }

    /** @return the algorithm, or null for an unknown code */
    static DataAlgorithm byCode(int code) {
        for (DataAlgorithm a : values()) {
            if (a.code == code) {
                return a;
            }
        }
        return null;
    }

    /** A GCM cipher over this algorithm's block cipher (Bouncy Castle's lightweight API, no JCE provider). */
    GCMModeCipher newGcm() {
        BlockCipher engine = this == SM4_GCM ? new SM4Engine() : AESEngine.newInstance();
        return GCMBlockCipher.newInstance(engine);
    }
}
