fn main() {
    rejviz::cmd::peek::main()
}
