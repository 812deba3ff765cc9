fn main() {
    rejviz::cmd::install::main()
}
