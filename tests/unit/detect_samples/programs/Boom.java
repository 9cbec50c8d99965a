public class Boom extends RuntimeException {
    Boom(String message) {
        super(message);
    }

    static void check(int port) {
        if (port < 1024)
            throw new IllegalArgumentException("port " + port + " is reserved\nuse a port above 1023");
    }

    public static void main(String[] args) {
        try {
            check(80);
        } catch (IllegalArgumentException e) {
            e.printStackTrace();
        }
        throw new Boom("custom class, default package");
    }
}
