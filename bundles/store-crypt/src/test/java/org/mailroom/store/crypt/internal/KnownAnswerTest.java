package org.mailroom.store.crypt.internal;

import static org.junit.Assert.assertEquals;

import java.util.HexFormat;
import org.bouncycastle.crypto.engines.SM4Engine;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.Test;

/** The algorithms the envelopes use, against the published vectors. */
public class KnownAnswerTest {

    private static final HexFormat HEX = HexFormat.of();

    /** GB/T 32907-2016 appendix A: one block, and the same block encrypted 1,000,000 times. */
    @Test
    public void sm4OfGbT32907() {
        byte[] key = HEX.parseHex("0123456789abcdeffedcba9876543210");
        SM4Engine sm4 = new SM4Engine();
        sm4.init(true, new KeyParameter(key));
        byte[] block = key.clone();
        sm4.processBlock(block, 0, block, 0);
        assertEquals("681edf34d206965e86b3e94f536e4246", HEX.formatHex(block));
        block = key.clone();
        for (int i = 0; i < 1_000_000; i++) {
            sm4.processBlock(block, 0, block, 0);
        }
        assertEquals("595298c7c6fd271f0402f804c33d3f66", HEX.formatHex(block));
    }

    /** RFC 8998 appendix A.1, SM4-GCM, through the cipher the envelopes use. */
    @Test
    public void sm4GcmOfRfc8998() throws Exception {
        byte[] key = HEX.parseHex("0123456789abcdeffedcba9876543210");
        byte[] iv = HEX.parseHex("00001234567800000000abcd");
        byte[] aad = HEX.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        byte[] plain = HEX.parseHex("aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd"
                + "eeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa");
        GCMModeCipher gcm = DataAlgorithm.SM4_GCM.newGcm();
        gcm.init(true, new AEADParameters(new KeyParameter(key), 128, iv, aad));
        byte[] out = new byte[gcm.getOutputSize(plain.length)];
        int n = gcm.processBytes(plain, 0, plain.length, out, 0);
        gcm.doFinal(out, n);
        assertEquals(
                "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735"
                        + "d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d"
                        + "83de3541e4c2b58177e065a9bf7b62ec",
                HEX.formatHex(out));
    }
}
