public class JavaThread {
    static void work(int[] a) {
        a[3] = 1;
    }

    public static void main(String[] args) throws Exception {
        Thread t = new Thread(() -> work(new int[2]), "worker-1");
        t.start();
        t.join();
        System.err.println("joined");
        Object o = null;
        o.hashCode();
    }
}
