FROM localhost/csx/base:1
LABEL org.opencontainers.image.title="csx app fixture" org.example.csx.role="app"
ENV APP_MODE=fixture
# adds files, a hard link and symlinks
RUN mkdir -p /srv/data && echo 'hello from layer' > /srv/data/hello.txt \
 && seq 1 200 > /srv/data/numbers.txt && ln /srv/data/hello.txt /srv/data/hardlink \
 && ln -s data/hello.txt /srv/rel-link && ln -s /etc/passwd /srv/passwd-link
# deletes a lower file -> whiteout in this layer
RUN rm /etc/motd
# replaces a lower directory -> opaque directory in this layer
RUN rm -rf /opt/app && mkdir /opt/app && echo new > /opt/app/new
COPY copied.txt /srv/copied.txt
CMD ["/bin/sh"]
