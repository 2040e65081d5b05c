package org.mailroom.keys.pkcs12.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(
        scope = "mail",
        name = "key-rotate",
        description = "Adds a new key-encryption key to the keystore and makes it the current one;"
                + " old keys stay, so old mail stays readable (mail:store-rewrap moves it to the new key)")
@Service
public class KeyRotateCommand implements Action {

    @Reference(optional = true)
    Pkcs12KeyProvider provider;

    @Override
    public Object execute() throws Exception {
        if (provider == null) {
            System.out.println("The pkcs12 key provider is not running (see etc/org.mailroom.keys.pkcs12.cfg).");
            return null;
        }
        Pkcs12Keys keys = provider.keys();
        if (keys.settings().currentKey() != null) {
            System.out.println("currentKey = " + keys.settings().currentKey()
                    + " in etc/org.mailroom.keys.pkcs12.cfg pins the current key: remove it (the newest key is"
                    + " then current) before rotating, or add a key with keytool and name it there.");
            return null;
        }
        String alias = keys.rotate();
        System.out.println("Added " + keys.settings().keyAlgorithm().displayName + " key " + alias + " to "
                + keys.settings().keystore() + "; it is the current key now.");
        System.out.flush();
        return null;
    }
}
