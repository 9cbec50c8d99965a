#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>

static void load(const char *name)
{
    throw std::runtime_error(std::string("cannot open ") + name);
}

int main(int argc, char **argv)
{
    std::fprintf(stderr, "starting\n");
    if (argc > 1 && std::strcmp(argv[1], "none") == 0)
        std::terminate();
    if (argc > 1 && std::strcmp(argv[1], "int") == 0)
        throw 42;
    load("/etc/app.conf");
}
