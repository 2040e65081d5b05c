package org.mailroom.auth.oauth2.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.nimbusds.jose.JWSAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Issuer files: defaults, and every bad value reported with its key. */
public class IssuerSettingsTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private static Map<String, Object> settings(String... pairs) {
        Map<String, Object> map = new HashMap<>();
        map.put("issuer", "https://id.example.com/realms/mail");
        map.put("audience", "mailroom");
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    private static void bad(String expected, String... pairs) {
        try {
            IssuerSettings.of(settings(pairs));
            fail("accepted " + List.of(pairs));
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith(expected));
        }
    }

    @Test
    public void defaults() {
        IssuerSettings s = IssuerSettings.of(settings());
        assertEquals(IssuerSettings.Mode.JWT, s.mode());
        assertEquals(
                "https://id.example.com/realms/mail/.well-known/openid-configuration",
                s.discovery().toString());
        assertEquals("email", s.userClaim());
        assertEquals(UserMapping.Kind.AS_IS, s.userMapping());
        assertEquals(60, s.clockSkew().toSeconds());
        assertTrue(s.algorithms().containsAll(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.PS512, JWSAlgorithm.ES384)));
        assertEquals(9, s.algorithms().size());
    }

    @Test
    public void badValuesNameTheirKey() {
        bad("key issuer: missing", "issuer", "");
        bad("key audience: missing", "audience", " ");
        bad("key algorithms: EdDSA is not supported", "algorithms", "RS256, EdDSA");
        bad("key algorithms: 'HS256' is not one of", "algorithms", "HS256");
        bad("key jwksUri: 'http://id.example.com/certs' must be https", "jwksUri", "http://id.example.com/certs");
        bad("key discoveryUri: 'ftp://x/' is not an https URL", "discoveryUri", "ftp://x/");
        bad("key clockSkewSeconds: 9999 is not 0..600", "clockSkewSeconds", "9999");
        bad("key mode: must be jwt or introspection", "mode", "magic");
        bad("key domains: missing", "userMapping", "strip-domain");
        bad("key userMappingFile: missing", "userMapping", "file");
        bad("key keyRefetchSeconds: 300 must be less than keyCacheSeconds", "keyRefetchSeconds", "300");
        bad("key clientAuthentication: must be basic or post", "clientAuthentication", "jwt");
    }

    @Test
    public void httpOnlyToLoopback() {
        assertEquals(
                "http://127.0.0.1:8080/certs",
                IssuerSettings.of(settings("jwksUri", "http://127.0.0.1:8080/certs"))
                        .jwks()
                        .toString());
        IssuerSettings.of(settings("jwksUri", "http://localhost:8080/certs"));
        IssuerSettings.of(settings("jwksUri", "http://[::1]:8080/certs"));
    }

    @Test
    public void aMappingFileMapsAndABadOneKeepsThePreviousTable() throws Exception {
        Path file = folder.newFile("users.map").toPath();
        Files.writeString(
                file, "# token user = local user\nAlice.Smith@example.com = alice\n\nbob@partner.example=bob\n");
        UserMapping mapping = new UserMapping(UserMapping.Kind.FILE, Set.of(), file);
        assertEquals("alice", mapping.map("Alice.Smith@example.com").user());
        assertEquals("bob", mapping.map("bob@partner.example").user());
        assertTrue(mapping.map("carol@example.com").problem().contains("is not in"));
        Files.writeString(file, "alice@example.com = alice\nno equals sign here\n");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertEquals(
                "the previous table stays",
                "alice",
                mapping.map("Alice.Smith@example.com").user());
        try {
            UserMapping.parse(List.of("a = b", "a = c"));
            fail("accepted a user mapped twice");
        } catch (IllegalArgumentException e) {
            assertEquals("line 2: 'a' is mapped twice", e.getMessage());
        }
        try {
            UserMapping.parse(List.of("x = ../etc"));
            fail("accepted a bad local name");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("line 1: user name"));
        }
    }

    @Test
    public void stripDomainMapsOnlyTheListedDomains() {
        UserMapping mapping = new UserMapping(UserMapping.Kind.STRIP_DOMAIN, Set.of("example.com"), null);
        assertEquals("alice", mapping.map("alice@EXAMPLE.com").user());
        assertEquals(null, mapping.map("alice@evil.example").user());
        assertEquals(null, mapping.map("alice").user());
        assertEquals(
                "as-is",
                "a@b",
                new UserMapping(UserMapping.Kind.AS_IS, Set.of(), null)
                        .map("a@b")
                        .user());
    }
}
