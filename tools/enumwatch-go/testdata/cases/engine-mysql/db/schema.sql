CREATE TABLE orders (status ENUM("new", "paid"));
