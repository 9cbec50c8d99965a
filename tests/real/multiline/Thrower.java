// Multi-line records the way a real Java program writes them to standard
// error, for test_multiline_java.sh (and raw/java.txt). Runs as a
// single-file source program (java Thrower.java, JEP 330: needs only the
// runtime's jdk.compiler module) or compiled with javac.
//
// In order, with an ordinary line before and after each:
//   1. printStackTrace() of an exception with a cause (whose trace ends in
//      "... N more") and a suppressed exception (try-with-resources whose
//      close() fails);
//   2. an uncaught exception in the thread "worker" (the default handler:
//      Exception in thread "worker" ...), with a cause;
//   3. an uncaught exception in main: exit status 1.
import java.io.IOException;
import java.io.UncheckedIOException;

public class Thrower {
    static final class Ledger implements AutoCloseable {
        final String name;

        Ledger(String name) {
            this.name = name;
        }

        void append(int orderId) throws IOException {
            throw new IOException("No space left on device: /var/lib/shop/" + name + ".log (order " + orderId + ")");
        }

        @Override
        public void close() {
            throw new IllegalStateException("ledger " + name + " not flushed on close");
        }
    }

    static void record(int orderId) {
        try (Ledger ledger = new Ledger("orders")) {
            ledger.append(orderId);
        } catch (IOException e) {
            throw new UncheckedIOException("could not record order " + orderId, e);
        }
    }

    static void checkout(int orderId) {
        try {
            record(orderId);
        } catch (UncheckedIOException e) {
            throw new IllegalStateException("checkout failed for order " + orderId, e);
        }
    }

    static int parsePort(String text) {
        return Integer.parseInt(text);
    }

    static void connect(String spec) {
        try {
            parsePort(spec.substring(spec.indexOf(':') + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad address " + spec, e);
        }
    }

    static Object[] slots = new Object[3];

    static Object slot(int i) {
        return slots[i];
    }

    public static void main(String[] args) throws Exception {
        System.err.println("INFO thrower: starting (pid file /run/thrower.pid)");
        try {
            checkout(42);
        } catch (IllegalStateException e) {
            e.printStackTrace();
        }
        System.err.println("INFO thrower: after printStackTrace");

        Thread worker = new Thread(() -> connect("db.internal:54x2"), "worker");
        worker.start();
        worker.join();
        System.err.println("INFO thrower: after the worker died");

        System.err.println("INFO thrower: the next record is the last");
        slot(5);
    }
}
