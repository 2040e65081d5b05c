package org.mailroom.filter.footer.internal;

import java.util.Optional;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(
        scope = "mail",
        name = "trace-decode",
        description = "Turns a trace code found in a leaked copy into the recipient, message and time")
@Service
public class TraceDecodeCommand implements Action {

    @Reference(optional = true)
    FooterFilter footer;

    @Argument(index = 0, name = "code", required = true, description = "The code, e.g. 7K2M-Q9XD-0A4T-WB3N")
    String code;

    @Override
    public Object execute() throws Exception {
        TraceMarks marks = footer == null ? null : footer.marks();
        if (marks == null) {
            System.out.println("The footer filter is not running with trace marks on.");
            return null;
        }
        Optional<TraceMarks.Mark> mark = marks.find(code);
        if (mark.isEmpty()) {
            System.out.println("No mark " + code + " in the trace ledger (not made with this key, or mistyped).");
        } else {
            TraceMarks.Mark m = mark.get();
            System.out.println("code       " + m.code());
            System.out.println("recipient  " + m.recipient());
            System.out.println("message    " + m.messageId());
            System.out.println("time       " + m.time());
            System.out.println("delivery   " + m.key());
        }
        System.out.flush();
        return null;
    }
}
