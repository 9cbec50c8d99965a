import java.lang.reflect.Method;

public class JavaCausedSuppressed {
    static class Resource implements AutoCloseable {
        @Override
        public void close() {
            throw new IllegalArgumentException("close failed");
        }
    }

    static int parse(String s) {
        return Integer.parseInt(s);
    }

    public static void step(String s) {
        try (Resource r = new Resource()) {
            parse(s);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("cannot start", e);
        }
    }

    public static void main(String[] args) throws Exception {
        try {
            step("x");
        } catch (IllegalStateException e) {
            e.printStackTrace();
        }
        System.err.println("continuing after the first error");
        Method m = JavaCausedSuppressed.class.getMethod("step", String.class);
        m.invoke(null, "y");
    }
}
