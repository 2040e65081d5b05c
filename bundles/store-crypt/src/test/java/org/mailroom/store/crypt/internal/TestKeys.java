package org.mailroom.store.crypt.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.mailroom.api.keys.KeyException;
import org.mailroom.api.keys.KeyProvider;
import org.mailroom.api.keys.WrappedKey;

/** A key provider of the test's own: AES-GCM key wrapping with the JDK, keys by id in memory. */
final class TestKeys implements KeyProvider {

    private final Map<String, byte[]> keys = new LinkedHashMap<>();
    private volatile String current;

    TestKeys() {
        rotate("k1");
    }

    synchronized void rotate(String id) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        keys.put(id, key);
        current = id;
    }

    synchronized void forget(String id) {
        keys.remove(id);
    }

    @Override
    public String currentKeyId() {
        return current;
    }

    @Override
    public synchronized WrappedKey wrap(byte[] dataKey) throws KeyException {
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        byte[] sealed = gcm(Cipher.ENCRYPT_MODE, keys.get(current), nonce, current, dataKey);
        byte[] out = Arrays.copyOf(nonce, 12 + sealed.length);
        System.arraycopy(sealed, 0, out, 12, sealed.length);
        return new WrappedKey(current, out);
    }

    @Override
    public synchronized byte[] unwrap(WrappedKey wrapped) throws KeyException {
        byte[] key = keys.get(wrapped.keyId());
        if (key == null) {
            throw new KeyException("no key " + wrapped.keyId(), false);
        }
        byte[] w = wrapped.wrapped();
        return gcm(
                Cipher.DECRYPT_MODE, key, Arrays.copyOf(w, 12), wrapped.keyId(), Arrays.copyOfRange(w, 12, w.length));
    }

    private static byte[] gcm(int mode, byte[] key, byte[] nonce, String id, byte[] data) throws KeyException {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(id.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new KeyException("wrapped key fails authentication", false, e);
        }
    }
}
