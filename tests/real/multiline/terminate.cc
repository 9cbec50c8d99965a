// What an uncaught C++ exception prints (libstdc++'s verbose terminate
// handler), for test_multiline_native.sh and raw/cxx_*.txt.
//
// terminate MODE: an ordinary line on stderr (std::cerr), then
//   runtime_error  throws std::runtime_error out of main:
//                    terminate called after throwing an instance of 'std::runtime_error'
//                      what():  ...
//   int            throws an int (no what() line)
//   thread         throws std::system_error (what() with its error text)
//                  out of a std::thread
// then the process aborts (SIGABRT).
#include <cerrno>
#include <iostream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

static void load_config(const std::string &path)
{
    throw std::runtime_error("cannot parse " + path + ": line 12: expected '=' after key \"port\"");
}

static void lock_spool(int n)
{
    throw std::system_error(EACCES, std::generic_category(), "lock /var/spool/shop/" + std::to_string(n));
}

int main(int argc, char **argv)
{
    std::string mode = argc > 1 ? argv[1] : "runtime_error";
    std::cerr << "INFO terminate: starting, mode=" << mode << std::endl;
    if (mode == "runtime_error") {
        load_config("/etc/shop/shop.conf");
    } else if (mode == "int") {
        throw 42;
    } else if (mode == "thread") {
        std::thread t(lock_spool, 7);
        t.join();
    } else {
        std::cerr << "unknown mode " << mode << std::endl;
        return 2;
    }
    std::cerr << "INFO terminate: not reached" << std::endl;
    return 0;
}
