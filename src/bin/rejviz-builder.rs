fn main() {
    rejviz::cmd::builder::main()
}
