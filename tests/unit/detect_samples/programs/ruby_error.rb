class Parser
  def parse(text)
    check(text)
  end

  def check(text)
    raise "cannot parse #{text.inspect}" if text.empty?
    raise ArgumentError, "bad input:\nline one\nline two" if text == "multi"
    text.lenght
  end
end

p = Parser.new
case ARGV[0]
when "multi" then p.parse("multi")
when "typo" then p.parse("abc")
else p.parse("")
end
