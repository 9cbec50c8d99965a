import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

// The same records through SLF4J and logback.
public class ShopLogback {
    static final Logger orders = LoggerFactory.getLogger("com.example.shop.Orders");
    static final Logger pay = LoggerFactory.getLogger("com.example.shop.Payment");
    public static void main(String[] args) throws Exception {
        orders.info("starting with {} workers", 4);
        Thread t = new Thread(() -> {
            for (int i = 0; i < 3; i++) {
                pay.debug("charging order {} for {} cents", 100 + i, 250 * i);
                orders.info("order {} shipped to 10.0.0.{}", 100 + i, i + 1);
            }
        }, "worker-1");
        t.start();
        t.join();
        pay.warn("payment gateway slow: {} ms", 1500);
        pay.error("payment for order {} declined", 102);
    }
}
