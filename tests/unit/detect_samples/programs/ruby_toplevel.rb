config = { "port" => "80" }
puts "loading"
Integer(config.fetch("host"))
