package org.mailroom.keys.pkcs12.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mail", name = "key-list", description = "Lists the key-encryption keys of the PKCS#12 keystore")
@Service
public class KeyListCommand implements Action {

    @Reference(optional = true)
    Pkcs12KeyProvider provider;

    @Override
    public Object execute() {
        if (provider == null) {
            System.out.println("The pkcs12 key provider is not running (see etc/org.mailroom.keys.pkcs12.cfg).");
            return null;
        }
        Pkcs12Keys keys = provider.keys();
        String current = keys.currentAlias();
        System.out.println("keystore " + keys.settings().keystore());
        for (Pkcs12Keys.Kek k : keys.list()) {
            System.out.printf(
                    "%s %-28s %-8s created %s%n",
                    k.alias().equals(current) ? "*" : " ", k.alias(), k.algorithm().displayName, k.created());
        }
        System.out.println("(* the current key: new messages are wrapped under it)");
        System.out.flush();
        return null;
    }
}
