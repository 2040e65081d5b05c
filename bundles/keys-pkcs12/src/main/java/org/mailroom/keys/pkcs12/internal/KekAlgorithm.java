package org.mailroom.keys.pkcs12.internal;

import java.util.Locale;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The algorithms of key-encryption keys, which wrap data keys with GCM (12-octet nonce, 16-octet
 * tag), through Bouncy Castle's lightweight API: SM4 (GB/T 32907) and AES-256.
 */
enum KekAlgorithm {
    SM4("SM4", "1.2.156.10197.1.104", 16),
    AES_256("AES-256", "AES", 32);

    static final int NONCE_OCTETS = 12;
    static final int TAG_BITS = 128;

    /** The name in settings and listings. */
    final String displayName;
    /** The algorithm a PKCS#12 secret-key entry records: the JDK knows no name for SM4, so its OID. */
    final String keystoreAlgorithm;

    final int keyOctets;

    KekAlgorithm(String displayName, String keystoreAlgorithm, int keyOctets) {
        this.displayName = displayName;
        this.keystoreAlgorithm = keystoreAlgorithm;
        this.keyOctets = keyOctets;
    }

    /** @throws IllegalArgumentException naming the values allowed */
    static KekAlgorithm byName(String name) {
        for (KekAlgorithm a : values()) {
            if (a.displayName.equalsIgnoreCase(name.trim())) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown key algorithm " + name + " (SM4 or AES-256)");
    }

    /** The algorithm of a keystore entry, or null if it is none of these. */
    static KekAlgorithm ofEntry(String keystoreAlgorithm, int keyOctets) {
        String a = keystoreAlgorithm.toUpperCase(Locale.ROOT);
        if ((a.equals("SM4") || a.equals(SM4.keystoreAlgorithm)) && keyOctets == SM4.keyOctets) {
            return SM4;
        }
        if (a.equals("AES") && keyOctets == AES_256.keyOctets) {
            return AES_256;
        }
        return null;
    }

    byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
        GCMModeCipher gcm = gcm(true, key, nonce, aad);
        byte[] out = new byte[gcm.getOutputSize(plaintext.length)];
        int n = gcm.processBytes(plaintext, 0, plaintext.length, out, 0);
        try {
            gcm.doFinal(out, n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("GCM encryption cannot fail", e);
        }
        return out;
    }

    /** @throws InvalidCipherTextException if the octets fail authentication */
    byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] sealed, int offset, int length)
            throws InvalidCipherTextException {
        GCMModeCipher gcm = gcm(false, key, nonce, aad);
        byte[] out = new byte[gcm.getOutputSize(length)];
        int n = gcm.processBytes(sealed, offset, length, out, 0);
        gcm.doFinal(out, n);
        return out;
    }

    private GCMModeCipher gcm(boolean encrypt, byte[] key, byte[] nonce, byte[] aad) {
        BlockCipher engine = this == SM4 ? new SM4Engine() : AESEngine.newInstance();
        GCMModeCipher gcm = GCMBlockCipher.newInstance(engine);
        gcm.init(encrypt, new AEADParameters(new KeyParameter(key), TAG_BITS, nonce, aad));
        return gcm;
    }
}
