fn main() {
    rejviz::cmd::customize::main()
}
