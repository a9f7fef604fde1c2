-- name: CreateOrder :one
INSERT INTO orders (status, currency) VALUES ($1, $2) RETURNING *;
